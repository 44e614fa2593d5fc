// The DDL guard for SQL a workspace writes itself: migration files (`atrium data migrate`, the
// `sql` of POST /data/migrations) and custom row rules. The text is parsed by PostgreSQL's own
// parser (libpg-query, compiled to WebAssembly), so what is checked is what the server will run:
// a quoted "set_config" or a comment hiding a statement cannot slip past as it could past a regular
// expression. What is allowed is listed, everything else refused with the statement and line:
//   - statements: tables, indexes, views, enums, comments, row-level security policies, and rows
//     (insert, update, delete: seed data);
//   - no other schema (no qualified name but pg_catalog's types and functions), no temporary
//     objects, no tablespace, no role named, no owner changed;
//   - no function, procedure, trigger, rule or DO block: a function runs later inside other
//     callers' transactions, where it could switch the role back (RESET ROLE) to the platform's;
//   - no call that changes the session or reaches past SQL (set_config, pg_*, large objects,
//     dblink, query_to_xml and its kin, the platform's own atrium_* functions).
// The statements then run as the workspace's data role, which has no rights outside its schema,
// and the catalog is checked again before the commit (migrations.ts): two walls, as ADR 0019 says.
import type { ParseResult } from 'libpg-query';

type Parser = { parseSync(sql: string): ParseResult };
let parser: Parser | undefined;
let loading: Promise<Parser> | undefined;

/** The parser (a WebAssembly module of ~1.5 MB, loaded on first use, ~10 ms). */
export async function loadSqlParser(): Promise<void> {
  loading ??= import('libpg-query').then(async (m) => {
    await m.loadModule();
    parser = m;
    return m;
  });
  await loading;
}

export class SqlRefusal extends Error {
  readonly statement?: number;
  readonly line?: number;
  constructor(message: string, statement?: number, line?: number) {
    super(message);
    this.statement = statement;
    this.line = line;
  }
}

export const SQL_LIMITS = { chars: 200_000, statements: 500 } as const;

const STATEMENTS = new Set([
  'CreateStmt', 'AlterTableStmt', 'IndexStmt', 'DropStmt', 'RenameStmt', 'CreateEnumStmt', 'AlterEnumStmt', 'CommentStmt',
  'ViewStmt', 'CreatePolicyStmt', 'AlterPolicyStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt',
]);
const ALTER_TABLE = new Set([
  'AT_AddColumn', 'AT_ColumnDefault', 'AT_DropNotNull', 'AT_SetNotNull', 'AT_DropColumn', 'AT_AddConstraint', 'AT_DropConstraint',
  'AT_AlterColumnType', 'AT_AlterConstraint', 'AT_ValidateConstraint', 'AT_AddIdentity', 'AT_SetIdentity', 'AT_DropIdentity',
  'AT_EnableRowSecurity', 'AT_DisableRowSecurity', 'AT_ForceRowSecurity', 'AT_NoForceRowSecurity',
]);
const DROPPABLE = new Set(['OBJECT_TABLE', 'OBJECT_INDEX', 'OBJECT_TYPE', 'OBJECT_VIEW', 'OBJECT_POLICY']);
const RENAMABLE = new Set(['OBJECT_TABLE', 'OBJECT_COLUMN', 'OBJECT_INDEX', 'OBJECT_TABCONSTRAINT', 'OBJECT_VIEW', 'OBJECT_TYPE', 'OBJECT_POLICY']);
const COMMENTABLE = new Set(['OBJECT_TABLE', 'OBJECT_COLUMN']);
/** Calls that change the session, or reach files, other servers, large objects, the platform's own functions. */
const FORBIDDEN_CALL = /^(set_config|pg_.*|lo_.*|dblink.*|txid_.*|query_to_.*|table_to_.*|cursor_to_.*|schema_to_.*|database_to_.*|atrium_.*|current_setting_set)$/;
const TABLESPACE_KEYS = ['tablespacename', 'tableSpace'];

type Node = Record<string, unknown>;
const names = (list: unknown): string[] => (Array.isArray(list) ? list.map((n) => ((n as { String?: { sval?: string } }).String?.sval ?? '?')) : []);
const objectNames = (object: unknown): string[] => names((object as { List?: { items?: unknown[] } })?.List?.items ?? object);

/** Visits every node of a statement (a loop, not recursion: trees run thousands deep), refusing what points outside the schema or out of SQL. */
function walk(root: unknown, refuse: (why: string) => never): void {
  const pending: unknown[] = [root];
  while (pending.length) {
    const node = pending.pop();
    if (Array.isArray(node)) {
      for (const item of node) pending.push(item);
      continue;
    }
    if (!node || typeof node !== 'object') continue;
    for (const [key, value] of Object.entries(node as Node)) {
      const v = value as Node;
      switch (key) {
        case 'RangeVar':
        case 'relation':
        case 'view':
        case 'table':
          if (v && typeof v === 'object' && 'relname' in v) {
            if (v.schemaname || v.catalogname) refuse(`${[v.catalogname, v.schemaname, v.relname].filter(Boolean).join('.')}: name tables without a schema (a migration works in the workspace's own schema only)`);
            if (v.relpersistence === 't') refuse('temporary tables are not part of a schema: make a table');
          }
          break;
        case 'FuncCall': {
          const parts = names(v.funcname);
          const fn = parts[parts.length - 1] ?? '';
          if (parts.length > 1 && parts[0] !== 'pg_catalog') refuse(`${parts.join('.')}(): functions of other schemas cannot be called`);
          if (FORBIDDEN_CALL.test(fn)) refuse(`${fn}() cannot be called from a migration or a row rule (it changes the session or reaches past the workspace's schema)`);
          break;
        }
        case 'TypeName':
        case 'typeName': {
          const parts = names(v.names);
          if (parts.length > 1 && parts[0] !== 'pg_catalog') refuse(`type ${parts.join('.')}: types of other schemas cannot be used`);
          break;
        }
        case 'RoleSpec':
        case 'newowner':
          if (v?.roletype === 'ROLESPEC_CSTRING' || key === 'newowner') refuse(`role ${String(v?.rolename ?? '')}: migrations name no role (policies apply to everyone; use current_setting('app.roles') in them)`);
          break;
        case 'ColumnRef':
          if (Array.isArray(v.fields) && v.fields.length > 2) refuse(`${names(v.fields).join('.')}: name columns as table.column at most (no schema)`);
          break;
        default:
          if (TABLESPACE_KEYS.includes(key) && value) refuse('tablespaces are the platform\'s to choose');
      }
      pending.push(value);
    }
  }
}

/** Statement kinds whose parser names say little to a user. */
const NAMED: Record<string, string> = {
  VariableSetStmt: 'set / reset', VariableShowStmt: 'show', TransactionStmt: 'transaction (begin, commit, savepoint…)', CreateFunctionStmt: 'create function',
  CreateTrigStmt: 'create trigger', RuleStmt: 'create rule', DoStmt: 'do', CreateSchemaStmt: 'create schema', CreateRoleStmt: 'create role', AlterOwnerStmt: 'alter … owner',
};

function checkStatement(kind: string, stmt: Node, refuse: (why: string) => never): void {
  if (!STATEMENTS.has(kind)) {
    const what = NAMED[kind] ?? kind.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
    const hint = /function|trig|rule|^do$|procedure/.test(what)
      ? ': functions, procedures, triggers, rules and DO blocks are refused (they would run inside other callers\' transactions)'
      : ': a migration may create, alter, rename, drop and comment tables, views, indexes, enums and policies, and insert, update or delete rows';
    refuse(`${what} statements are not allowed${hint}`);
  }
  switch (kind) {
    case 'AlterTableStmt':
      for (const cmd of (stmt.cmds as Array<{ AlterTableCmd: { subtype: string } }>) ?? []) {
        if (!ALTER_TABLE.has(cmd.AlterTableCmd.subtype)) refuse(`alter table … ${cmd.AlterTableCmd.subtype.replace(/^AT_/, '')} is not allowed`);
      }
      if (stmt.objtype !== 'OBJECT_TABLE') refuse('alter table only (not sequences, views or indexes)');
      break;
    case 'DropStmt': {
      const type = String(stmt.removeType);
      if (!DROPPABLE.has(type)) refuse(`drop ${type.replace(/^OBJECT_/, '').toLowerCase()} is not allowed`);
      const depth = type === 'OBJECT_POLICY' ? 2 : 1;
      for (const object of (stmt.objects as unknown[]) ?? []) {
        const parts = type === 'OBJECT_TYPE' ? names((object as { TypeName?: { names?: unknown } }).TypeName?.names) : objectNames(object);
        if (parts.length > depth) refuse(`drop ${parts.join('.')}: name objects without a schema`);
      }
      break;
    }
    case 'RenameStmt': {
      if (!RENAMABLE.has(String(stmt.renameType))) refuse(`rename of ${String(stmt.renameType).replace(/^OBJECT_/, '').toLowerCase()} is not allowed`);
      if (stmt.object && objectNames(stmt.object).length > 1) refuse(`rename ${objectNames(stmt.object).join('.')}: name types without a schema`);
      break;
    }
    case 'CreateEnumStmt':
    case 'AlterEnumStmt':
      if (names(stmt.typeName).length > 1) refuse(`type ${names(stmt.typeName).join('.')}: name types without a schema`);
      break;
    case 'CommentStmt': {
      if (!COMMENTABLE.has(String(stmt.objtype))) refuse('comments go on tables and columns');
      if (objectNames(stmt.object).length > (stmt.objtype === 'OBJECT_COLUMN' ? 2 : 1)) refuse('name the commented object without a schema');
      break;
    }
    case 'IndexStmt':
      if (stmt.concurrent) refuse('create index concurrently cannot run inside a migration\'s transaction: leave out concurrently');
      break;
    case 'ViewStmt':
      if ((stmt.view as Node)?.relpersistence === 't') refuse('temporary views are not part of a schema');
      break;
  }
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const OPERATOR = /[+\-*/<>=~!@#%^&|`?]/;
export const NESTING_LIMIT = { tokens: 3000, depth: 300 } as const;

/**
 * How deep the parse tree could be, from the tokens alone, before the parser sees the text: the
 * parser (C in WebAssembly) recurses per level, and past ~6,000 levels it overflows the stack —
 * which it survives, but without freeing what the parse had allocated. So: at most 300 nested
 * brackets, and at most 3,000 tokens along any path from the top (tokens since the last comma, at
 * each bracket level, summed). Strings, quoted names, dollar quotes and comments are lexed as
 * PostgreSQL lexes them (one token each).
 */
function checkNesting(sql: string): void {
  const counts = [0];
  let sum = 0;
  const refuse = (i: number, why: string): never => {
    const line = sql.slice(0, i).split('\n').length;
    throw new SqlRefusal(`${why} (line ${line}): split it, or use commas between parts`, undefined, line);
  };
  const token = (i: number) => {
    counts[counts.length - 1]++;
    if (++sum > NESTING_LIMIT.tokens) refuse(i, `An expression or statement nests or chains more than ${NESTING_LIMIT.tokens.toLocaleString('en-US')} tokens`);
  };
  const skipQuoted = (i: number, quote: string, backslash: boolean): number => {
    for (let j = i + 1; j < sql.length; j++) {
      if (backslash && sql[j] === '\\') j++;
      else if (sql[j] === quote) {
        if (sql[j + 1] === quote) j++;
        else return j + 1;
      }
    }
    return sql.length;
  };
  for (let i = 0; i < sql.length;) {
    const c = sql[i];
    const prevIdent = i > 0 && IDENT_PART.test(sql[i - 1]);
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      let depth = 1;
      for (i += 2; i < sql.length && depth > 0; i++) {
        if (sql[i] === '/' && sql[i + 1] === '*') { depth++; i++; } else if (sql[i] === '*' && sql[i + 1] === '/') { depth--; i++; }
      }
    } else if (c === "'") {
      token(i);
      i = skipQuoted(i, "'", false);
    } else if (c === '"') {
      token(i);
      i = skipQuoted(i, '"', false);
    } else if ((c === 'e' || c === 'E') && sql[i + 1] === "'" && !prevIdent) {
      token(i);
      i = skipQuoted(i + 1, "'", true);
    } else if (c === '$' && !prevIdent && /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.test(sql.slice(i, i + 64))) {
      const tag = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(i, i + 64))![0];
      token(i);
      const end = sql.indexOf(tag, i + tag.length);
      i = end < 0 ? sql.length : end + tag.length;
    } else if (c === '(' || c === '[') {
      token(i);
      counts.push(0);
      if (counts.length > NESTING_LIMIT.depth) refuse(i, `More than ${NESTING_LIMIT.depth} nested brackets`);
      i++;
    } else if (c === ')' || c === ']') {
      if (counts.length > 1) sum -= counts.pop()!;
      token(i);
      i++;
    } else if (c === ',' || c === ';') {
      sum -= counts[counts.length - 1];
      counts[counts.length - 1] = 0;
      i++;
    } else if (IDENT_START.test(c) || /[0-9$]/.test(c)) {
      token(i);
      for (i++; i < sql.length && (IDENT_PART.test(sql[i]) || sql[i] === '.' && /[0-9]/.test(c)); i++);
    } else if (OPERATOR.test(c) || c === ':' || c === '.') {
      token(i);
      for (i++; i < sql.length && OPERATOR.test(sql[i]) && !(sql[i] === '-' && sql[i + 1] === '-') && !(sql[i] === '/' && sql[i + 1] === '*'); i++);
    } else {
      i++;
    }
  }
}

function parsed(sql: string): ParseResult {
  if (!parser) throw new Error('loadSqlParser() first');
  if (sql.includes('\u0000')) throw new SqlRefusal('The SQL holds a NUL character');
  checkNesting(sql);
  try {
    return parser.parseSync(sql);
  } catch (err) {
    const position = (err as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition;
    const line = position === undefined ? undefined : sql.slice(0, position).split('\n').length;
    throw new SqlRefusal(`${(err as Error).message}${line ? ` (line ${line})` : ''}`, undefined, line);
  }
}

/** A migration file's statements, each checked; the text of each as written, to run one by one (a refusal names its number). */
export function checkMigrationSql(sql: string): string[] {
  if (sql.length > SQL_LIMITS.chars) throw new SqlRefusal(`The SQL is ${sql.length.toLocaleString('en-US')} characters; ${SQL_LIMITS.chars.toLocaleString('en-US')} at most per migration`);
  const { stmts = [] } = parsed(sql);
  if (!stmts.length) throw new SqlRefusal('The SQL holds no statement');
  if (stmts.length > SQL_LIMITS.statements) throw new SqlRefusal(`${stmts.length} statements; ${SQL_LIMITS.statements} at most per migration`);
  return stmts.map((entry, i) => {
    const start = entry.stmt_location ?? 0;
    const text = (entry.stmt_len ? sql.slice(start, start + entry.stmt_len) : sql.slice(start)).trim();
    const line = sql.slice(0, start).split('\n').length + (sql.slice(start).match(/^\s*/)?.[0].split('\n').length ?? 1) - 1;
    const refuse = (why: string): never => {
      throw new SqlRefusal(`Statement ${i + 1} (line ${line}): ${why}`, i + 1, line);
    };
    const [kind, stmt] = Object.entries(entry.stmt ?? {})[0] ?? ['', {}];
    checkStatement(kind, stmt as Node, refuse);
    walk(stmt, refuse);
    return text;
  });
}

/** A row rule's expression: exactly one SQL expression, walked like a migration's. */
export function checkRuleExpression(expression: string, what: string): string {
  const refuse = (why: string): never => {
    throw new SqlRefusal(`The ${what} expression: ${why}`);
  };
  let result: ParseResult;
  try {
    result = parsed(`select (${expression})`);
  } catch (err) {
    return refuse((err as Error).message.replace(/ \(line \d+\)$/, ''));
  }
  const select = result.stmts?.length === 1 ? (result.stmts[0].stmt as { SelectStmt?: Node }).SelectStmt : undefined;
  const plain = select && (select.targetList as unknown[])?.length === 1
    && !['fromClause', 'whereClause', 'groupClause', 'havingClause', 'sortClause', 'limitCount', 'limitOffset', 'withClause', 'larg', 'valuesLists', 'intoClause', 'distinctClause', 'windowClause', 'lockingClause'].some((k) => k in select);
  if (!plain) refuse('must be one SQL expression (a condition on the row), not a statement');
  walk(select, refuse);
  return `(${expression})`;
}
