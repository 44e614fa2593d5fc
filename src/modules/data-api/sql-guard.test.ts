// The DDL guard on SQL a workspace writes (migration files, custom row rules), without a database:
// what a project's migrations need passes; each way out of the workspace's schema or back to the
// platform's role is refused with the statement and line — including the spellings a regular
// expression would miss (quoted names, pg_catalog-qualified calls, comments, dollar quotes).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkMigrationSql, checkRuleExpression, loadSqlParser, SqlRefusal } from './sql-guard.ts';

function refusal(sql: string): SqlRefusal {
  try {
    checkMigrationSql(sql);
  } catch (err) {
    assert.ok(err instanceof SqlRefusal, `${sql}: ${(err as Error).message}`);
    return err;
  }
  assert.fail(`accepted: ${sql}`);
}

describe('SQL guard', () => {
  before(loadSqlParser);

  test('a project\'s migration passes, split into its statements as written', () => {
    const statements = checkMigrationSql(`
-- tasks and their projects
create type task_status as enum ('todo', 'done');
create table projects (id uuid primary key default gen_random_uuid(), name text not null unique);
create table tasks (
  id bigint generated always as identity primary key,
  project_id uuid references projects (id) on delete cascade,
  title text not null check (length(title) < 200),
  status task_status not null default 'todo',
  tags text[] not null default '{}',
  meta jsonb,
  created_at timestamptz not null default now()
);
create index tasks_project_idx on tasks (project_id, lower(title));
alter table tasks add column due date, alter column title set not null;
alter table tasks enable row level security;
create policy own on tasks using (project_id is not null and current_setting('app.user_id', true) <> '');
comment on table tasks is 'What is to be done';
comment on column tasks.title is 'Short';
create view open_tasks as select id, title from tasks where status = 'todo';
alter type task_status add value 'doing' before 'done';
insert into projects (name) values ('Launch'), ($$it's "quoted"$$);
update projects set name = upper(name) where name = 'Launch';
alter table tasks rename column due to due_on;
drop view open_tasks;
drop policy own on tasks;
`);
    assert.equal(statements.length, 16);
    assert.match(statements[0], /^create type task_status/);
    assert.ok(statements.every((s) => !s.startsWith('--') && !s.endsWith(';')));
  });

  const refused: Array<[string, RegExp]> = [
    ['reset role', /set \/ reset statements are not allowed/],
    ['set role postgres', /set \/ reset/],
    ['set local search_path to public', /set \/ reset/],
    ['create function f() returns int language sql as $$ select 1 $$', /functions, procedures, triggers/],
    ['create function f() returns int language sql security definer as \'select 1\'', /functions, procedures, triggers/],
    ['do $$ begin execute \'reset role\'; end $$', /functions, procedures, triggers/],
    ['create trigger t before insert on a for each row execute function f()', /functions, procedures, triggers/],
    ['create rule r as on insert to a do instead nothing', /functions, procedures, triggers/],
    ['create extension dblink', /create extension statements are not allowed/],
    ['create role x', /not allowed/],
    ['grant all on a to public', /grant statements are not allowed/],
    ['create schema other', /not allowed/],
    ['begin; create table a (id int); commit', /transaction \(begin, commit, savepoint…\) statements are not allowed/],
    ['copy a from \'/etc/passwd\'', /copy statements are not allowed/],
    ['select pg_sleep(10)', /select statements are not allowed/],
    ['create table public.a (id int)', /public\.a: name tables without a schema/],
    ['create table a (like atrium.users)', /atrium\.users/],
    ['insert into a select * from public.users', /public\.users/],
    ['create temp table a (id int)', /temporary/],
    ['create table a (id int) tablespace pg_default', /tablespaces/],
    ['alter table a owner to postgres', /ChangeOwner is not allowed/],
    ['alter table a set tablespace x', /not allowed/],
    ['alter table a disable trigger all', /not allowed/],
    ['create policy p on a to atrium_app using (true)', /role atrium_app/],
    ['drop table other.a', /without a schema/],
    ['drop schema ws_x cascade', /drop schema is not allowed/],
    ['drop function f', /drop function is not allowed/],
    ['alter table a rename to b; alter schema s rename to t', /Statement 2 \(line 1\)/],
    ['create table a (r text default set_config(\'role\', \'postgres\', false))', /set_config\(\) cannot be called/],
    ['create table a (r text default "set_config"(\'role\', \'none\', true))', /set_config\(\) cannot be called/],
    ['create table a (r text default pg_catalog.set_config(\'role\', \'none\', true))', /set_config\(\) cannot be called/],
    ['create table a (r text default public.atrium_provision_data_schema())', /functions of other schemas/],
    ['create table a (r xml default query_to_xml(\'reset role\', true, true, \'\'))', /query_to_xml\(\) cannot be called/],
    ['create index on a ((pg_read_file(\'/etc/passwd\')))', /pg_read_file\(\) cannot be called/],
    ['create table a (b other.kind)', /types of other schemas/],
    ['create table a (id int);\n\ncreate index concurrently on a (id)', /Statement 2 \(line 3\): create index concurrently/],
    ['create table a (id int', /syntax error at end of input \(line 1\)/],
    ['create table a (id int);\ncreate tabel b ()', /syntax error at or near "tabel" \(line 2\)/],
    ['-- nothing but a comment', /no statement/],
    ['create table a (id int);\u0000', /NUL/],
  ];
  for (const [sql, why] of refused) {
    test(`refuses: ${sql.replace(/\s+/g, ' ').slice(0, 70)}`, () => {
      assert.match(refusal(sql).message, why);
    });
  }

  test('a refusal names its statement and line', () => {
    const err = refusal('create table a (id int);\n\n-- then\nreset role;');
    assert.equal(err.statement, 2);
    assert.equal(err.line, 4);
  });

  test('nesting is bounded before the parser sees it (it would overflow its stack past ~6,000 levels, leaking the parse)', () => {
    const deep = [
      'insert into a select ' + '(select '.repeat(3000) + '1' + ')'.repeat(3000),
      'create table a (b int default ' + Array(10_000).fill('1').join('+') + ')',
      'create table a (b int default ' + '- '.repeat(4000) + '1)',
      'create table a (b int[] default ' + 'array['.repeat(400) + '1' + ']'.repeat(400) + ')',
    ];
    for (const sql of deep) assert.match(refusal(sql).message, /nests or chains more than 3,000 tokens|more than 300 nested brackets/i, sql.slice(0, 40));
    // What is flat passes however long: commas reset the count; strings, quoted names, dollar quotes and comments are one token each.
    const rows = Array.from({ length: 400 }, (_, i) => `(${i}, 'a (b, c ''d'' ${'('.repeat(310)}', $x$ )))(( $x$, "we""ird", E'\\' ((( ')`).join(',\n');
    assert.equal(checkMigrationSql(`create table a (n int, t text, u text, "we""ird" int, v text); /* ((( -- */ insert into a values ${rows}; -- ((((`).length, 2);
    assert.match(refusal(`comment on table a is E'\\'' ${'('.repeat(301)}`).message, /300 nested brackets/, 'an E-string ends where PostgreSQL ends it');
  });

  test('size limits', () => {
    assert.match(refusal('create table a (id int);'.repeat(501)).message, /501 statements; 500 at most/);
    assert.match(refusal(`comment on table a is '${'x'.repeat(200_001)}'`).message, /characters; 200,000 at most/);
  });

  test('a row rule is one expression, walked like a migration', () => {
    assert.equal(checkRuleExpression("owner_id = nullif(current_setting('app.user_id', true), '')::uuid", 'using'), "(owner_id = nullif(current_setting('app.user_id', true), '')::uuid)");
    assert.equal(checkRuleExpression("status in ('a', 'b') and exists (select 1 from teams t where t.id = team_id)", 'using').startsWith('('), true);
    const bad: Array<[string, RegExp]> = [
      ['"set_config"(\'role\', \'none\', true) is not null', /set_config\(\) cannot be called/],
      ['pg_catalog.set_config(\'role\', \'none\', true) is not null', /set_config\(\)/],
      ['true) from a where (true', /one SQL expression/],
      ['true); reset role; select (true', /one SQL expression/],
      ['true --', /syntax error|one SQL expression/],
      ['exists (select 1 from public.users)', /public\.users/],
      ['(select count(*) from pg_catalog.pg_authid) > 0', /pg_catalog\.pg_authid/],
    ];
    for (const [expression, why] of bad) assert.throws(() => checkRuleExpression(expression, 'using'), (err: Error) => err instanceof SqlRefusal && why.test(err.message), expression);
  });
});
