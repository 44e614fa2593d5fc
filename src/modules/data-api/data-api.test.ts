// The data API end to end, over HTTP on a real PostgreSQL: a workspace's tables made by migrations
// (as its own data role, in its own schema), the GraphQL API generated from them (filters, order,
// pages, relations batched, mutations all-or-nothing, typed constraint errors), its limits, and
// the wall between workspaces (B's token, B's data role and the data roles' reach into platform
// tables).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { createPlatformAdminSession, createTenant } from '../../../test/helpers/tenants.ts';
import type { Tenant } from '../../../test/helpers/tenants.ts';
import { dataSchemaOf } from '../../kernel/db/database.ts';

/** A JSON answer read by tests: any property, any depth (the assertions check the shapes). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test reads of JSON answers
type Json = any;
type Gql = { status: number; data: Record<string, Json> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }>; extensions?: { statements?: number; cost?: number } };

describe('data API: per-workspace tables and their generated GraphQL', () => {
  let platform: TestPlatform;
  let a: Tenant;
  let b: Tenant;

  async function api(token: string, method: string, path: string, body?: unknown) {
    const res = await fetch(`${platform.baseUrl}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body !== undefined ? JSON.stringify(body) : undefined });
    const text = await res.text();
    return { status: res.status, json: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : { text }) as Record<string, Json> };
  }
  async function gql(token: string, query: string, variables?: Record<string, unknown>): Promise<Gql> {
    const r = await api(token, 'POST', '/data/graphql', { query, variables });
    return { status: r.status, ...(r.json as Omit<Gql, 'status'>) };
  }
  const migrate = (token: string, operations: unknown[], extra: Record<string, unknown> = {}) => api(token, 'POST', '/data/migrations', { operations, ...extra });

  before(async () => {
    platform = await startTestPlatform({ ATRIUM_LOG_LEVEL: 'error' }, { listen: true });
    a = await createTenant(platform, 'data-a');
    b = await createTenant(platform, 'data-b');
  });
  after(async () => {
    await platform.stop();
  });

  test('a workspace without tables answers an empty schema, and its data role and schema are made on first use', async () => {
    const r = await gql(a.tokens.member, '{ _empty }');
    assert.equal(r.status, 200);
    assert.deepEqual(r.data, { _empty: null });
    const { schema, role } = dataSchemaOf(a.workspaceId);
    const found = await platform.db.owner.query('select n.nspname, r.rolname, r.rolcanlogin, r.rolsuper, r.rolinherit from pg_namespace n join pg_roles r on r.oid = n.nspowner where n.nspname = $1', [schema]);
    assert.equal(found.rows[0]?.rolname, role);
    assert.equal(found.rows[0].rolcanlogin, false);
    assert.equal(found.rows[0].rolsuper, false);
  });

  test('migrations: members may not; an owner creates tables with an enum, keys, a foreign key and defaults', async () => {
    const ops = [
      { op: 'create_enum', name: 'task_status', values: ['todo', 'doing', 'done'] },
      { op: 'create_table', table: 'projects', columns: [
        { name: 'name', type: 'text', nullable: false, unique: true },
        { name: 'budget', type: 'numeric' },
        { name: 'created_at', type: 'timestamptz', nullable: false, defaultExpression: 'now' },
      ] },
      { op: 'create_table', table: 'tasks', columns: [
        { name: 'title', type: 'text', nullable: false },
        { name: 'status', type: 'enum', enum: 'task_status', nullable: false, default: 'todo' },
        { name: 'points', type: 'integer', default: 1 },
        { name: 'tags', type: 'text', array: true },
        { name: 'meta', type: 'jsonb' },
        { name: 'project_id', type: 'uuid', references: { table: 'projects', onDelete: 'cascade' } },
      ] },
    ];
    assert.equal((await migrate(a.tokens.member, ops)).status, 403);
    const r = await migrate(a.tokens.owner, ops);
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.equal(r.json.migration.version, 1);
    assert.match(r.json.migration.statements, /create table "tasks"/);
    const tasks = r.json.tables.tables.find((t: { name: string }) => t.name === 'tasks');
    assert.equal(tasks.typeName, 'Task');
    assert.equal(tasks.listField, 'tasks');
    assert.equal(tasks.byKeyField, 'taskById');
    assert.deepEqual(tasks.columns.find((c: { name: string }) => c.name === 'project_id').references, { table: 'projects', column: 'id' });
    assert.ok(tasks.columns.find((c: { name: string }) => c.name === 'id').isPrimaryKey, 'an id uuid key is added when none is given');
    // B sees none of it.
    const bTables = await api(b.tokens.owner, 'GET', '/data/tables');
    assert.equal(bTables.status, 200);
    assert.deepEqual(bTables.json.tables, []);
    assert.equal((await api(a.tokens.viewer, 'GET', '/data/migrations')).json.data.length, 1);
  });

  test('a refused migration names the statement and leaves nothing behind', async () => {
    const r = await migrate(a.tokens.owner, [
      { op: 'create_table', table: 'notes', columns: [{ name: 'body', type: 'text' }] },
      { op: 'add_column', table: 'no_such_table', column: { name: 'x', type: 'text' } },
    ]);
    assert.equal(r.status, 422);
    assert.equal(r.json.code, 'DATA_MIGRATION_INVALID');
    assert.match(r.json.detail, /no_such_table/);
    const tables = await api(a.tokens.owner, 'GET', '/data/tables');
    assert.ok(!tables.json.tables.some((t: { name: string }) => t.name === 'notes'), 'the first operation was rolled back with the second');
    assert.equal(tables.json.version, 1);
    // Names are checked at the edge: no other schema, no quoting tricks.
    for (const table of ['public.users', 'x"; drop table tasks; --', 'Tasks']) {
      const bad = await migrate(a.tokens.owner, [{ op: 'create_table', table, columns: [{ name: 'a', type: 'text' }] }]);
      assert.equal(bad.status, 400, table);
    }
    for (const [table, column] of [['pg_thing', 'a'], ['things', '__typename']]) {
      const reserved = await migrate(a.tokens.owner, [{ op: 'create_table', table, columns: [{ name: column, type: 'text' }] }]);
      assert.equal(reserved.status, 422, `${table}.${column}`);
      assert.match(reserved.json.detail, /pg_ or __/);
    }
    const stale = await migrate(a.tokens.owner, [{ op: 'drop_table', table: 'tasks' }], { expectedVersion: 0 });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.code, 'DATA_MIGRATION_CONFLICT');
  });

  test('mutations: create, bulk, update, upsert, delete; constraint violations are typed errors and roll the whole request back', async () => {
    const p = await gql(a.tokens.member, 'mutation { createProject(input: { name: "Atlas", budget: "1250.50" }) { id name budget createdAt } }');
    assert.equal(p.status, 200, JSON.stringify(p));
    const project = p.data!.createProject;
    assert.equal(project.budget, '1250.50');
    assert.match(project.createdAt, /^\d{4}-\d{2}-\d{2}T/);
    const bulk = await gql(a.tokens.member, `mutation($inputs: [TaskInput!]!) { createTasks(inputs: $inputs) { id title status points tags meta projectId } }`, {
      inputs: Array.from({ length: 25 }, (_, i) => ({ title: `Task ${String(i).padStart(2, '0')}`, points: i, projectId: project.id, tags: i % 2 ? ['odd'] : ['even', 'x'], meta: { n: i, deep: { ok: i % 5 === 0 } }, ...(i >= 20 ? { status: 'done' } : {}) })),
    });
    assert.equal(bulk.status, 200, JSON.stringify(bulk.errors));
    assert.equal(bulk.data!.createTasks.length, 25);
    assert.equal(bulk.data!.createTasks[0].status, 'todo', 'the column default applies');
    const first = bulk.data!.createTasks[0];

    const updated = await gql(a.tokens.member, `mutation($id: UUID!) { updateTask(id: $id, patch: { status: doing, points: 40 }) { status points } }`, { id: first.id });
    assert.deepEqual(updated.data!.updateTask, { status: 'doing', points: 40 });
    const upsert = await gql(a.tokens.member, `mutation($id: UUID!) { upsertTask(input: { id: $id, title: "Renamed" }) { title points } }`, { id: first.id });
    assert.deepEqual(upsert.data!.upsertTask, { title: 'Renamed', points: 40 });

    // One request, two mutations, the second violates the unique name: neither stays.
    const dup = await gql(a.tokens.member, 'mutation { a: createProject(input: { name: "Borealis" }) { id } b: createProject(input: { name: "Atlas" }) { id } }');
    assert.equal(dup.status, 200);
    assert.equal(dup.data, null);
    assert.equal(dup.errors![0].extensions!.code, 'UNIQUE_VIOLATION');
    const borealis = await gql(a.tokens.member, '{ projects(filter: { name: { eq: "Borealis" } }) { totalCount } }');
    assert.equal(borealis.data!.projects.totalCount, 0, 'the first insert was rolled back');

    const fk = await gql(a.tokens.member, 'mutation { createTask(input: { title: "x", projectId: "00000000-0000-4000-8000-000000000000" }) { id } }');
    assert.equal(fk.errors![0].extensions!.code, 'FOREIGN_KEY_VIOLATION');
    const nn = await gql(a.tokens.member, 'mutation { createProject(input: { name: "Nope", budget: "not a number" }) { id } }');
    assert.equal(nn.errors![0].extensions!.code, 'GRAPHQL_VALIDATION_FAILED', 'BigFloat refuses it before any SQL');
    const bad = await gql(a.tokens.member, 'mutation { createProject(input: { name: "When", createdAt: "not a date" }) { id } }');
    assert.equal(bad.errors![0].extensions!.code, 'INVALID_VALUE');
    const nul = await api(a.tokens.member, 'POST', '/data/graphql', { query: 'mutation($t: String!) { createTask(input: { title: $t }) { id } }', variables: { t: 'a\u0000b' } });
    assert.equal(nul.status, 400, 'NUL characters stop at the edge');
    const viewer = await api(a.tokens.viewer, 'POST', '/data/graphql', { query: 'mutation { createProject(input: { name: "Viewer" }) { id } }' });
    assert.equal(viewer.status, 403);
    assert.equal(viewer.json.code, 'FORBIDDEN');

    const deleted = await gql(a.tokens.member, `mutation($id: UUID!) { deleteTask(id: $id) { title } }`, { id: bulk.data!.createTasks[24].id });
    assert.equal(deleted.data!.deleteTask.title, 'Task 24');
  });

  test('queries: filters, order, offset and cursor pages, totalCount, by primary key', async () => {
    const evens = await gql(a.tokens.viewer, '{ tasks(filter: { tags: { contains: ["even"] }, points: { gte: 4, lt: 12 } }, orderBy: [POINTS_DESC]) { nodes { points } totalCount } }');
    assert.deepEqual(evens.data!.tasks.nodes.map((n: { points: number }) => n.points), [10, 8, 6, 4]);
    assert.equal(evens.data!.tasks.totalCount, 4);
    const or = await gql(a.tokens.viewer, '{ tasks(filter: { or: [{ title: { like: "Task 0%" } }, { status: { in: [done] } }], not: { points: { eq: 0 } } }) { totalCount } }');
    assert.equal(or.data!.tasks.totalCount, 9 + 4, '01–09 and 20–23');
    const json = await gql(a.tokens.viewer, '{ tasks(filter: { meta: { contains: { deep: { ok: true } } } }) { totalCount } }');
    assert.equal(json.data!.tasks.totalCount, 5, 'tasks 0, 5, 10, 15 and 20');
    const one = await gql(a.tokens.viewer, '{ tasks(first: 1, orderBy: [TITLE_ASC]) { nodes { id title } } }');
    const byKey = await gql(a.tokens.viewer, 'query($id: UUID!) { taskById(id: $id) { title project { name } } }', { id: one.data!.tasks.nodes[0].id });
    assert.deepEqual(byKey.data!.taskById, { title: one.data!.tasks.nodes[0].title, project: { name: 'Atlas' } });
    const none = await gql(a.tokens.viewer, '{ taskById(id: "00000000-0000-4000-8000-000000000000") { id } }');
    assert.deepEqual(none.data, { taskById: null });
  });
});

describe('data API: relations, limits and the wall between workspaces', () => {
  let platform: TestPlatform;
  let a: Tenant;
  let b: Tenant;

  async function gql(token: string, query: string, variables?: Record<string, unknown>, method: 'POST' | 'GET' = 'POST'): Promise<Gql> {
    const res = method === 'POST'
      ? await fetch(`${platform.baseUrl}/api/v1/data/graphql`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) })
      : await fetch(`${platform.baseUrl}/api/v1/data/graphql?${new URLSearchParams({ query, ...(variables ? { variables: JSON.stringify(variables) } : {}) })}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, ...(await res.json()) };
  }
  async function api(token: string, method: string, path: string, body?: unknown) {
    const res = await fetch(`${platform.baseUrl}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body !== undefined ? JSON.stringify(body) : undefined });
    return { status: res.status, json: (await res.json()) as Record<string, Json> };
  }
  const migrate = async (token: string, operations: unknown[]) => {
    const res = await api(token, 'POST', '/data/migrations', { operations });
    assert.equal(res.status, 201, JSON.stringify(res.json));
  };
  const SHAPE = [
    { op: 'create_table', table: 'projects', columns: [{ name: 'name', type: 'text', nullable: false }] },
    { op: 'create_table', table: 'tasks', columns: [{ name: 'title', type: 'text', nullable: false }, { name: 'project_id', type: 'uuid', nullable: false, references: { table: 'projects', onDelete: 'cascade' } }] },
    { op: 'create_table', table: 'comments', columns: [{ name: 'body', type: 'text', nullable: false }, { name: 'task_id', type: 'uuid', nullable: false, references: { table: 'tasks', onDelete: 'cascade' } }] },
  ];

  before(async () => {
    platform = await startTestPlatform({ ATRIUM_LOG_LEVEL: 'error' }, { listen: true });
    a = await createTenant(platform, 'data-rel-a');
    b = await createTenant(platform, 'data-rel-b');
    await migrate(a.tokens.owner, SHAPE);
    await migrate(b.tokens.owner, SHAPE);
    // A: 10 projects × 3 tasks × 2 comments, in one request (bulk creates, one transaction).
    const projects = await gql(a.tokens.member, `mutation($p: [ProjectInput!]!) { createProjects(inputs: $p) { id } }`, { p: Array.from({ length: 10 }, (_, i) => ({ name: `P${i}` })) });
    const taskInputs = projects.data!.createProjects.flatMap((p: { id: string }, i: number) => [0, 1, 2].map((j) => ({ title: `T${i}.${j}`, projectId: p.id })));
    const tasks = await gql(a.tokens.member, `mutation($t: [TaskInput!]!) { createTasks(inputs: $t) { id } }`, { t: taskInputs });
    const commentInputs = tasks.data!.createTasks.flatMap((t: { id: string }) => [0, 1].map((k) => ({ body: `c${k}`, taskId: t.id })));
    assert.equal((await gql(a.tokens.member, `mutation($c: [CommentInput!]!) { createComments(inputs: $c) { id } }`, { c: commentInputs })).data!.createComments.length, 60);
    await gql(b.tokens.member, 'mutation { createProject(input: { name: "B secret project" }) { id } }');
  });
  after(async () => {
    await platform.stop();
  });

  test('a three-level query is one statement per level (no N+1), both ways along the foreign keys', async () => {
    const r = await gql(a.tokens.viewer, `{ projects(first: 10, orderBy: [NAME_ASC]) { nodes { name tasks(orderBy: [TITLE_DESC], first: 2) { title project { name } comments { body } } } } }`);
    assert.equal(r.status, 200, JSON.stringify(r.errors));
    const nodes = r.data!.projects.nodes;
    assert.equal(nodes.length, 10);
    assert.deepEqual(nodes[0].tasks.map((t: { title: string }) => t.title), ['T0.2', 'T0.1'], 'per-parent order and limit');
    assert.equal(nodes[3].tasks[0].project.name, 'P3');
    assert.equal(nodes[9].tasks[1].comments.length, 2);
    assert.equal(r.extensions!.statements, 4, 'projects, their tasks, the tasks\' projects, the tasks\' comments');
  });

  test('pages: first/after cursors walk the list without gaps; offset; the page cap is named', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 5; i++) {
      const r: Gql = await gql(a.tokens.viewer, 'query($after: Cursor) { tasks(first: 7, after: $after, orderBy: [TITLE_ASC]) { nodes { title } pageInfo { hasNextPage endCursor } } }', { after });
      seen.push(...r.data!.tasks.nodes.map((n: { title: string }) => n.title));
      after = r.data!.tasks.pageInfo.endCursor;
      if (!r.data!.tasks.pageInfo.hasNextPage) break;
    }
    assert.equal(seen.length, 30);
    assert.equal(new Set(seen).size, 30);
    const offset = await gql(a.tokens.viewer, '{ tasks(first: 2, offset: 28, orderBy: [TITLE_ASC]) { nodes { title } pageInfo { hasNextPage hasPreviousPage } } }');
    assert.deepEqual(offset.data!.tasks.nodes.map((n: { title: string }) => n.title), ['T9.1', 'T9.2']);
    assert.deepEqual(offset.data!.tasks.pageInfo, { hasNextPage: false, hasPreviousPage: true });
    const big = await gql(a.tokens.viewer, '{ tasks(first: 1000) { nodes { id } } }');
    assert.equal(big.data, null, 'a page of 1,000 costs more than the limit: nothing runs');
    assert.equal(big.errors![0].extensions!.code, 'COST_LIMIT');
    const cap = await gql(a.tokens.viewer, '{ tasks(first: 101) { totalCount } }');
    assert.equal(cap.errors![0].extensions!.code, 'PAGE_SIZE_LIMIT');
    const cursor = await gql(a.tokens.viewer, '{ tasks(after: "bm90LWEtY3Vyc29y") { totalCount } }');
    assert.equal(cursor.errors![0].extensions!.code, 'BAD_CURSOR');
  });

  test('keyset cursors: the next page starts after the row, whatever was added or deleted before it; nulls and descending orders; a cursor keeps its order', async () => {
    const k = await createTenant(platform, 'data-keyset');
    await migrate(k.tokens.owner, [{ op: 'create_table', table: 'events', columns: [{ name: 'label', type: 'text', nullable: false }, { name: 'score', type: 'integer' }] }]);
    const inputs = Array.from({ length: 25 }, (_, i) => ({ label: `e${String(i).padStart(2, '0')}`, score: i % 5 === 0 ? null : i % 7 }));
    assert.equal((await gql(k.tokens.member, 'mutation($e: [EventInput!]!) { createEvents(inputs: $e) { id } }', { e: inputs })).errors, undefined);
    const list = 'query($after: Cursor, $order: [EventOrderBy!]) { events(first: 4, after: $after, orderBy: $order) { nodes { label } edges { cursor } pageInfo { hasNextPage hasPreviousPage endCursor } } }';
    for (const order of [['SCORE_DESC'], ['SCORE_ASC', 'LABEL_DESC'], ['LABEL_ASC']]) {
      const all = (await gql(k.tokens.viewer, 'query($order: [EventOrderBy!]) { events(first: 100, orderBy: $order) { nodes { label } } }', { order })).data!.events.nodes.map((n: { label: string }) => n.label);
      const walked: string[] = [];
      let after: string | null = null;
      for (let i = 0; i < 10; i++) {
        const r: Gql = await gql(k.tokens.viewer, list, { after, order });
        assert.equal(r.errors, undefined, JSON.stringify(r.errors));
        assert.equal(r.data!.events.pageInfo.hasPreviousPage, i > 0);
        walked.push(...r.data!.events.nodes.map((n: { label: string }) => n.label));
        after = r.data!.events.pageInfo.endCursor;
        if (!r.data!.events.pageInfo.hasNextPage) break;
      }
      assert.deepEqual(walked, all, `${order.join(',')}: every row once, in order, nulls where ORDER BY puts them`);
    }
    // Page 1, then the world changes before the cursor: page 2 is still the rows that followed it.
    const order = ['LABEL_ASC'];
    const all = (await gql(k.tokens.viewer, 'query($order: [EventOrderBy!]) { events(first: 100, orderBy: $order) { nodes { label id } } }', { order })).data!.events.nodes;
    const first: Gql = await gql(k.tokens.viewer, list, { order });
    await gql(k.tokens.member, 'mutation($id: UUID!) { deleteEvent(id: $id) { id } }', { id: all[0].id });
    await gql(k.tokens.member, 'mutation { createEvents(inputs: [{ label: "a-first" }, { label: "e01a", score: 3 }]) { id } }');
    const second = await gql(k.tokens.viewer, list, { order, after: first.data!.events.pageInfo.endCursor });
    assert.deepEqual(second.data!.events.nodes.map((n: { label: string }) => n.label), all.slice(4, 8).map((n: { label: string }) => n.label));
    // An edge's cursor is a place to start from too.
    const fromEdge = await gql(k.tokens.viewer, list, { order, after: first.data!.events.edges[1].cursor });
    assert.deepEqual(fromEdge.data!.events.nodes.map((n: { label: string }) => n.label), ['e01a', 'e02', 'e03', 'e04'], 'after e01: the row added since, then the rest');
    // Cursors asked through a fragment are there too (rows carry their positions only when cursors are read).
    const viaFragment = await gql(k.tokens.viewer, 'query($order: [EventOrderBy!]) { events(first: 4, orderBy: $order) { ...Page } } fragment Page on EventConnection { ... on EventConnection { pageInfo { endCursor } } }', { order });
    const direct = await gql(k.tokens.viewer, list, { order });
    assert.equal(viaFragment.data!.events.pageInfo.endCursor, direct.data!.events.pageInfo.endCursor);
    assert.match(viaFragment.data!.events.pageInfo.endCursor, /^[A-Za-z0-9_-]{20,}$/);
    // A cursor belongs to its order.
    const other = await gql(k.tokens.viewer, list, { order: ['SCORE_DESC'], after: first.data!.events.pageInfo.endCursor });
    assert.equal(other.errors![0].extensions!.code, 'BAD_CURSOR');
    assert.match(other.errors![0].message, /same orderBy/);
    const forged = await gql(k.tokens.viewer, list, { order, after: Buffer.from('k:["x",[1]]').toString('base64url') });
    assert.equal(forged.errors![0].extensions!.code, 'BAD_CURSOR');
  });

  test('limits: depth and cost are measured before anything runs and named when refused', async () => {
    const deep = await gql(a.tokens.viewer, '{ comments { nodes { task { project { tasks { project { tasks { project { tasks { project { name } } } } } } } } } } }');
    assert.equal(deep.data, null);
    assert.equal(deep.errors![0].extensions!.code, 'DEPTH_LIMIT');
    assert.equal(deep.errors![0].extensions!.limit, 10);
    const costly = await gql(a.tokens.viewer, '{ projects(first: 100) { nodes { tasks(first: 100) { id } } } }');
    assert.equal(costly.errors![0].extensions!.code, 'COST_LIMIT');
    const viaFragments = await gql(a.tokens.viewer, 'query { ...Q } fragment Q on Query { projects(first: 100) { nodes { tasks(first: 100) { id } } } }');
    assert.equal(viaFragments.errors![0].extensions!.code, 'COST_LIMIT', 'fragments are counted too');
    const parse = await gql(a.tokens.viewer, '{ projects { nodes { ');
    assert.equal(parse.status, 200, 'GraphQL over HTTP: a GraphQL error is a 200 with errors');
    assert.equal(parse.errors![0].extensions!.code, 'GRAPHQL_PARSE_FAILED');
    const unknown = await gql(a.tokens.viewer, '{ users { nodes { email } } }');
    assert.equal(unknown.errors![0].extensions!.code, 'GRAPHQL_VALIDATION_FAILED');
    const tokens = await gql(a.tokens.viewer, `{ ${'projects { totalCount } '.repeat(2000)} }`);
    assert.equal(tokens.errors![0].extensions!.code, 'GRAPHQL_PARSE_FAILED', 'the parser stops at its token cap');
    // Introspection works for members (GraphiQL's query nests deeper than 10: it is not counted).
    const intro = await gql(a.tokens.viewer, '{ __schema { queryType { fields { name } } } __type(name: "Task") { fields { name type { kind ofType { kind ofType { kind ofType { kind ofType { name } } } } } } } }');
    assert.equal(intro.status, 200);
    assert.ok(intro.data!.__schema.queryType.fields.some((f: { name: string }) => f.name === 'taskById'));
    // GET: queries yes, mutations no.
    const get = await gql(a.tokens.viewer, 'query($n: String) { projects(filter: { name: { eq: $n } }) { totalCount } }', { n: 'P1' }, 'GET');
    assert.equal(get.data!.projects.totalCount, 1);
    assert.equal((await gql(a.tokens.owner, 'mutation { deleteProject(id: "00000000-0000-4000-8000-000000000000") { id } }', undefined, 'GET')).status, 403);
    // Persisted queries (Apollo's protocol): the hash alone is unknown, then sent with the query, then enough.
    const q = '{ projects(first: 1) { totalCount } }';
    const hash = createHash('sha256').update(q).digest('hex');
    const ext = encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } }));
    const byHash = async () => (await fetch(`${platform.baseUrl}/api/v1/data/graphql?extensions=${ext}`, { headers: { authorization: `Bearer ${a.tokens.viewer}` } })).json() as Promise<Gql>;
    assert.equal((await byHash()).errors![0].extensions!.code, 'PERSISTED_QUERY_NOT_FOUND');
    const registered = await fetch(`${platform.baseUrl}/api/v1/data/graphql`, { method: 'POST', headers: { authorization: `Bearer ${a.tokens.viewer}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: q, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }) });
    assert.equal(((await registered.json()) as Gql).data!.projects.totalCount, 10);
    assert.equal((await byHash()).data!.projects.totalCount, 10);
    const wrong = await fetch(`${platform.baseUrl}/api/v1/data/graphql`, { method: 'POST', headers: { authorization: `Bearer ${a.tokens.viewer}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }) });
    assert.equal(((await wrong.json()) as Gql).errors![0].extensions!.code, 'PERSISTED_QUERY_HASH_MISMATCH');
  });

  test('a migration made by another process shows at the next request (the version probe), not after a cache expires', async () => {
    assert.equal((await gql(a.tokens.viewer, '{ projects { totalCount } }')).data!.projects.totalCount, 10, 'the shape is cached here');
    const { schema, role } = dataSchemaOf(a.workspaceId);
    // As another API process would: DDL as the data role, the version bumped, nothing said to this one.
    await platform.db.withWorkspace(a.workspaceId, async (tx) => {
      await tx.query(`select set_config('search_path', '"${schema}"', true), set_config('role', '${role}', true)`);
      await tx.query('create table labels (id uuid primary key default gen_random_uuid(), name text not null)');
      await tx.query('set local role none; set local search_path to default');
      await tx.query('update data_schemas set version = version + 1 where workspace_id = $1', [a.workspaceId]);
    });
    const r = await gql(a.tokens.member, 'mutation { createLabel(input: { name: "urgent" }) { name } }');
    assert.deepEqual(r.data, { createLabel: { name: 'urgent' } }, JSON.stringify(r.errors));
  });

  test('row rules compile to row-level security: owner only, members read and admins write, a custom expression', async () => {
    const res = await fetch(`${platform.baseUrl}/api/v1/data/migrations`, { method: 'POST', headers: { authorization: `Bearer ${a.tokens.owner}`, 'content-type': 'application/json' }, body: JSON.stringify({ operations: [
      { op: 'create_table', table: 'notes', columns: [{ name: 'body', type: 'text', nullable: false }, { name: 'owner_id', type: 'uuid' }] },
      { op: 'set_row_rule', table: 'notes', rule: 'owner_only' },
      { op: 'create_table', table: 'announcements', columns: [{ name: 'body', type: 'text', nullable: false }] },
      { op: 'set_row_rule', table: 'announcements', rule: 'members_read_admins_write' },
      { op: 'create_table', table: 'tickets', columns: [{ name: 'body', type: 'text', nullable: false }, { name: 'is_public', type: 'boolean', nullable: false, default: false }] },
      { op: 'set_row_rule', table: 'tickets', rule: 'custom', using: "is_public or string_to_array(current_setting('app.roles', true), ',') && array['owner', 'admin']" },
    ] }) });
    assert.equal(res.status, 201, await res.text());
    const tables = (await (await fetch(`${platform.baseUrl}/api/v1/data/tables`, { headers: { authorization: `Bearer ${a.tokens.viewer}` } })).json()) as { tables: Array<{ name: string; rowRule: string }> };
    assert.deepEqual(Object.fromEntries(tables.tables.filter((t) => ['notes', 'announcements', 'tickets'].includes(t.name)).map((t) => [t.name, t.rowRule])), { announcements: 'members_read_admins_write', notes: 'owner_only', tickets: 'custom' });

    // Owner only: the owner column takes the caller's id; nobody else sees or changes the row.
    const mine = await gql(a.tokens.member, 'mutation { createNote(input: { body: "member note" }) { id ownerId } }');
    assert.equal(mine.data!.createNote.ownerId, a.userIds.member);
    assert.equal((await gql(a.tokens.admin, 'mutation { createNote(input: { body: "admin note" }) { id } }')).errors, undefined);
    assert.deepEqual((await gql(a.tokens.member, '{ notes { nodes { body } } }')).data!.notes.nodes, [{ body: 'member note' }]);
    assert.deepEqual((await gql(a.tokens.viewer, '{ notes { totalCount } }')).data!.notes.totalCount, 0);
    const steal = await gql(a.tokens.admin, 'mutation($id: UUID!) { updateNote(id: $id, patch: { body: "taken" }) { body } }', { id: mine.data!.createNote.id });
    assert.deepEqual(steal.data, { updateNote: null }, 'another member\'s row is not there to change');
    const forge = await gql(a.tokens.admin, `mutation { createNote(input: { body: "forged", ownerId: "${a.userIds.member}" }) { id } }`);
    assert.equal(forge.errors![0].extensions!.code, 'FORBIDDEN', 'nor can one write a row as someone else');
    const apiKey = await gql(a.apiKey, '{ notes { totalCount } }');
    assert.equal(apiKey.data!.notes.totalCount, 0, 'an API key is nobody\'s owner');

    // Members read, admins write.
    assert.equal((await gql(a.tokens.admin, 'mutation { createAnnouncement(input: { body: "Office closed Friday" }) { id } }')).errors, undefined);
    const denied = await gql(a.tokens.member, 'mutation { createAnnouncement(input: { body: "Free pizza" }) { id } }');
    assert.equal(denied.errors![0].extensions!.code, 'FORBIDDEN');
    assert.deepEqual((await gql(a.tokens.member, '{ announcements { nodes { body } } }')).data!.announcements.nodes, [{ body: 'Office closed Friday' }]);

    // Custom: public tickets for everyone, the rest for owners and admins.
    await gql(a.tokens.admin, 'mutation { createTickets(inputs: [{ body: "open", isPublic: true }, { body: "internal" }]) { id } }');
    assert.equal((await gql(a.tokens.member, '{ tickets { totalCount } }')).data!.tickets.totalCount, 1);
    assert.equal((await gql(a.tokens.owner, '{ tickets { totalCount } }')).data!.tickets.totalCount, 2);
    const sneaky = await fetch(`${platform.baseUrl}/api/v1/data/migrations`, { method: 'POST', headers: { authorization: `Bearer ${a.tokens.owner}`, 'content-type': 'application/json' }, body: JSON.stringify({ operations: [
      { op: 'set_row_rule', table: 'tickets', rule: 'custom', using: 'true); drop table tickets; --' },
    ] }) });
    assert.equal(sneaky.status, 422);
    const switching = await fetch(`${platform.baseUrl}/api/v1/data/migrations`, { method: 'POST', headers: { authorization: `Bearer ${a.tokens.owner}`, 'content-type': 'application/json' }, body: JSON.stringify({ operations: [
      { op: 'set_row_rule', table: 'tickets', rule: 'custom', using: "set_config('role', 'none', true) is not null" },
    ] }) });
    assert.equal(switching.status, 422, 'a rule may not change the session');
    assert.match(((await switching.json()) as { detail: string }).detail, /set_config/);
    // Spelled so a pattern would miss it: PostgreSQL's parser sees the same call.
    for (const using of ['"set_config"(\'role\', \'none\', true) is not null', 'pg_catalog.set_config(\'role\', \'none\', true) is not null']) {
      const quoted = await api(a.tokens.owner, 'POST', '/data/migrations', { operations: [{ op: 'set_row_rule', table: 'tickets', rule: 'custom', using }] });
      assert.equal(quoted.status, 422, using);
      assert.match(quoted.json.detail, /set_config\(\) cannot be called/);
    }
  });

  test('a workspace\'s statement timeout (setting data.statement_timeout_ms) stops a slow statement with STATEMENT_TIMEOUT, not a 5xx', async () => {
    const c = await createTenant(platform, 'data-rel-slow');
    await migrate(c.tokens.owner, [{ op: 'create_table', table: 'slow_things', columns: [{ name: 'name', type: 'text' }] }]);
    assert.equal((await gql(c.tokens.owner, 'mutation { createSlowThing(input: { name: "x" }) { name } }')).errors, undefined);
    // A rule that costs seconds per statement: what a careless custom expression can do.
    await migrate(c.tokens.owner, [{ op: 'set_row_rule', table: 'slow_things', rule: 'custom', using: '(select count(*) from generate_series(1, 20000000)) > 0' }]);
    const patch = await fetch(`${platform.baseUrl}/api/v1/workspaces/current`, { method: 'PATCH', headers: { authorization: `Bearer ${c.tokens.owner}`, 'content-type': 'application/json' }, body: JSON.stringify({ settings: { 'data.statement_timeout_ms': 100 } }) });
    assert.equal(patch.status, 200, await patch.text());
    const slow = await gql(c.tokens.owner, '{ slowThings { totalCount } }');
    assert.equal(slow.status, 200);
    assert.ok(slow.errors, JSON.stringify(slow));
    assert.equal(slow.errors![0].extensions!.code, 'STATEMENT_TIMEOUT');
    const refused = await fetch(`${platform.baseUrl}/api/v1/workspaces/current`, { method: 'PATCH', headers: { authorization: `Bearer ${c.tokens.owner}`, 'content-type': 'application/json' }, body: JSON.stringify({ settings: { 'data.statement_timeout_ms': 600000 } }) });
    assert.equal(refused.status, 400, 'beyond 30 s is refused');
  });

  test('a workspace\'s row cap (setting data.max_rows) refuses the insert that would pass it, and nothing of that request stays', async () => {
    const c = await createTenant(platform, 'data-rel-cap');
    await migrate(c.tokens.owner, [{ op: 'create_table', table: 'items', columns: [{ name: 'n', type: 'integer', nullable: false }] }]);
    const patch = await api(c.tokens.owner, 'PATCH', '/workspaces/current', { settings: { 'data.max_rows': 1000 } });
    assert.equal(patch.status, 200, JSON.stringify(patch.json));
    const bulk = (from: number, count: number) => gql(c.tokens.member, 'mutation($i: [ItemInput!]!) { createItems(inputs: $i) { n } }', { i: Array.from({ length: count }, (_, k) => ({ n: from + k })) });
    assert.equal((await bulk(0, 500)).errors, undefined);
    assert.equal((await bulk(500, 500)).errors, undefined, 'up to the cap');
    const over = await gql(c.tokens.member, 'mutation { a: createItem(input: { n: -1 }) { n } }');
    assert.equal(over.errors![0].extensions!.code, 'ROW_LIMIT');
    assert.equal(over.errors![0].extensions!.limit, 1000);
    assert.match(over.errors![0].message, /data\.max_rows/);
    assert.equal((await gql(c.tokens.viewer, '{ items { totalCount } }')).data!.items.totalCount, 1000);
    assert.equal((await api(c.tokens.owner, 'PATCH', '/workspaces/current', { settings: { 'data.max_rows': 0 } })).status, 400, 'a cap under 1,000 is refused');
  });

  test('metrics: the workspace\'s data-API traffic per bucket, its own only; platform admins see every workspace\'s', async () => {
    for (let i = 0; i < 5; i++) await gql(a.tokens.viewer, '{ projects { totalCount } }');
    await gql(a.tokens.viewer, '{ nope }');
    await platform.apiLogs.flush();
    const get = async (token: string, path: string) => {
      const res = await fetch(`${platform.baseUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, json: await res.json() as Json };
    };
    const mine = await get(a.tokens.viewer, '/data/metrics?range=1h');
    assert.equal(mine.status, 200);
    assert.equal(mine.json.bucketSeconds, 60);
    assert.ok(mine.json.totals.requests >= 6, JSON.stringify(mine.json.totals));
    assert.equal(typeof mine.json.totals.p95, 'number');
    assert.ok(mine.json.points.length >= 1);
    const theirs = await get(b.tokens.viewer, '/data/metrics?range=1h');
    assert.ok(theirs.json.totals.requests < mine.json.totals.requests, 'B counts its own requests only');
    assert.equal((await get(a.tokens.viewer, '/data/metrics?range=2h')).status, 400);
    assert.equal((await get(a.tokens.owner, '/admin/data/usage?range=24h')).status, 403);
    const admin = await createPlatformAdminSession(platform, 'data-admin@example.com', 'Data admin');
    const all = await get(admin.token, '/admin/data/usage?range=24h');
    assert.equal(all.status, 200);
    const row = all.json.data.find((r: { workspaceId: string }) => r.workspaceId === a.workspaceId);
    assert.ok(row && row.requests >= 6 && row.tables >= 3, JSON.stringify(row));
  });

  test('export and import keep every row, those behind row rules with their owners too; FORCE is back after', async () => {
    const lines: string[] = [];
    const result = await platform.data.exportData(a.workspaceId, (line) => { lines.push(line); });
    assert.ok(result.rows.notes >= 2 && result.rows.tasks === 30, JSON.stringify(result.rows));
    assert.ok(lines.some((l) => l.includes('member note')), 'owner-only rows are exported whoever they belong to');
    const d = await createTenant(platform, 'data-rel-d');
    // (labels was made outside migrations, by the test above playing another process: the import refuses such rows.)
    const parsed = lines.map((l) => JSON.parse(l) as Json);
    const refused = platform.data.importData({ actor: { type: 'system', id: null } }, d.workspaceId, parsed[0], parsed.slice(1).filter((l) => !l.end));
    await assert.rejects(refused, /rows for labels, which its migrations do not create/);
    assert.deepEqual((await gql(d.tokens.owner, '{ _empty }')).data, { _empty: null }, 'nothing was applied to d');
    const e = await createTenant(platform, 'data-rel-e');
    const imported = await platform.data.importData({ actor: { type: 'system', id: null } }, e.workspaceId, { ...parsed[0], tables: parsed[0].tables.filter((t: string) => t !== 'labels') }, parsed.slice(1).filter((l) => !l.end && l.table !== 'labels'));
    const { labels: _labels, ...expected } = result.rows;
    assert.deepEqual(imported.rows, expected);
    const { schema } = dataSchemaOf(e.workspaceId);
    const notes = await platform.db.owner.query(`select count(*)::int as n, bool_and(c.relforcerowsecurity) as forced from "${schema}".notes, pg_class c where c.oid = '"${schema}".notes'::regclass`);
    assert.deepEqual(notes.rows[0], { n: result.rows.notes, forced: true });
    assert.equal((await gql(e.tokens.member, '{ notes { totalCount } }')).data!.notes.totalCount, 0, 'e\'s member owns none of them');
    assert.equal((await gql(e.tokens.viewer, '{ comments { totalCount } }')).data!.comments.totalCount, 60);
    assert.equal((await gql(a.tokens.member, '{ notes { totalCount } }')).data!.notes.totalCount, 1, 'A\'s rules hold again after its export');
  });

  test('a deleted workspace keeps its data for the grace period; then its schema and role are dropped (audited)', async () => {
    const c = await createTenant(platform, 'data-rel-c');
    await migrate(c.tokens.owner, [{ op: 'create_table', table: 'notes', columns: [{ name: 'body', type: 'text' }] }]);
    const { schema, role } = dataSchemaOf(c.workspaceId);
    await platform.db.withPlatform((tx) => tx.query(`update workspaces set deleted_at = now() - interval '10 days' where id = $1`, [c.workspaceId]));
    assert.deepEqual(await platform.data.purgeDeleted(), [], 'within the grace period nothing goes');
    await platform.db.withPlatform((tx) => tx.query(`update workspaces set deleted_at = now() - interval '31 days' where id = $1`, [c.workspaceId]));
    assert.deepEqual(await platform.data.purgeDeleted(), [c.workspaceId]);
    const left = await platform.db.owner.query('select (select count(*) from pg_namespace where nspname = $1)::int as schemas, (select count(*) from pg_roles where rolname = $2)::int as roles', [schema, role]);
    assert.deepEqual(left.rows[0], { schemas: 0, roles: 0 });
    const audit = await platform.db.withPlatform((tx) => tx.query(`select action from audit_events where workspace_id = $1 and action = 'data.schema_purged'`, [c.workspaceId]));
    assert.equal(audit.rows.length, 1);
    assert.equal((await gql(a.tokens.viewer, '{ projects { totalCount } }')).data!.projects.totalCount, 10, 'the others are untouched');
  });

  test('the wall: B never sees A\'s rows; B\'s data role cannot reach A\'s schema; no data role reaches platform tables', async () => {
    const bView = await gql(b.tokens.owner, '{ projects { nodes { name } totalCount } }');
    assert.deepEqual(bView.data!.projects, { nodes: [{ name: 'B secret project' }], totalCount: 1 });
    const aView = await gql(a.tokens.owner, '{ projects(filter: { name: { like: "B%" } }) { totalCount } }');
    assert.equal(aView.data!.projects.totalCount, 0);
    // Same shape, same executable schema: the rows still come from each one's own schema.
    const { schema: aSchema } = dataSchemaOf(a.workspaceId);
    const { role: bRole } = dataSchemaOf(b.workspaceId);
    const client = await platform.db.app.connect();
    try {
      for (const sql of [`select * from "${aSchema}".projects`, 'select * from public.users', 'select * from public.secrets', 'select * from public.data_schemas', `set local search_path = "${aSchema}"; select * from projects`]) {
        await client.query('begin');
        await client.query(`select set_config('role', $1, true)`, [bRole]);
        await assert.rejects(client.query(sql), (err: { code?: string }) => err.code === '42501' || err.code === '42P01', sql);
        await client.query('rollback');
      }
      // atrium_app itself (NOINHERIT) holds none of a data role's rights.
      await assert.rejects(client.query(`select * from "${aSchema}".projects`), (err: { code?: string }) => err.code === '42501');
    } finally {
      client.release();
    }
  });

  test('SQL migrations: a project\'s SQL runs as the data role, all or nothing; the guard refuses the way out and the catalog is checked after', async () => {
    const c = await createTenant(platform, 'data-sql');
    const sql = (text: string, extra: Record<string, unknown> = {}) => api(c.tokens.owner, 'POST', '/data/migrations', { sql: text, ...extra });
    const first = await sql(`
      create type priority as enum ('low', 'high');
      create table clients (id uuid primary key default gen_random_uuid(), name text not null unique);
      create table jobs (
        id bigint generated always as identity primary key,
        client_id uuid not null references clients (id) on delete cascade,
        title text not null check (length(title) <= 200),
        priority priority not null default 'low',
        created_at timestamptz not null default now()
      );
      create index jobs_client_idx on jobs (client_id);
      insert into clients (name) values ('Acme');`, { name: '001_init' });
    assert.equal(first.status, 201, JSON.stringify(first.json));
    assert.deepEqual(first.json.migration.operations, []);
    assert.equal(first.json.migration.name, '001_init');
    assert.match(first.json.migration.statements, /create table jobs/);
    const made = await gql(c.tokens.member, `mutation($client: UUID!) { createJob(input: { clientId: $client, title: "Audit", priority: high }) { id title priority client { name } } }`,
      { client: (await gql(c.tokens.member, '{ clients { nodes { id } } }')).data!.clients.nodes[0].id });
    assert.equal(made.errors, undefined, JSON.stringify(made.errors));
    assert.deepEqual({ ...made.data!.createJob, id: typeof made.data!.createJob.id }, { id: 'string', title: 'Audit', priority: 'high', client: { name: 'Acme' } });

    // Refused before anything runs: the statement and line are named; the version does not move.
    const reset = await sql('create table notes (body text);\nreset role;');
    assert.equal(reset.status, 422);
    assert.equal(reset.json.code, 'DATA_MIGRATION_INVALID');
    assert.match(reset.json.detail, /Statement 2 \(line 2\): set \/ reset statements are not allowed/);
    assert.equal(reset.json.line, 2);
    for (const text of ['create function f() returns int language sql security definer as $$ select 1 $$', 'create table public.notes (body text)', 'create extension pgcrypto', 'grant select on jobs to public']) {
      assert.equal((await sql(text)).status, 422, text);
    }
    // Refused by PostgreSQL while running: the earlier statements are undone with it.
    const late = await sql('create table notes (body text);\ninsert into notes select email from users;');
    assert.equal(late.status, 422);
    assert.match(late.json.detail, /relation "users" does not exist \(statement 2/, 'platform tables are not on the data role\'s path, nor in its rights');
    const tables = await api(c.tokens.owner, 'GET', '/data/tables');
    assert.deepEqual(tables.json.tables.map((t: { name: string }) => t.name).sort(), ['clients', 'jobs']);
    assert.equal(tables.json.version, 1);
    // Operations or SQL, not both nor neither.
    assert.equal((await api(c.tokens.owner, 'POST', '/data/migrations', { sql: 'create table x (id int)', operations: [{ op: 'drop_table', table: 'jobs' }] })).status, 422);
    assert.equal((await api(c.tokens.owner, 'POST', '/data/migrations', {})).status, 422);
    // Members may not write migrations, in SQL either.
    assert.equal((await api(c.tokens.member, 'POST', '/data/migrations', { sql: 'drop table jobs' })).status, 403);
  });
});

