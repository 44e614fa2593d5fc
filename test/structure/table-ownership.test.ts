// A module reads only its own tables and what other modules publish (views named in
// migrations/0022_published_views.sql, or door functions). This test reads every SQL statement of
// src/ (the words after from / join / into / update) and fails when a module names a table it
// does not own; every table of the migrations must have an owner here, so a new table is placed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

/** Who owns each table (writes it, and decides its shape). `kernel` is src/kernel. */
const OWNERS: Record<string, string[]> = {
  kernel: ['jobs', 'job_lanes', 'job_schedules', 'rate_limit_buckets', 'idempotency_keys', 'backup_runs'],
  identity: ['users', 'sessions', 'refresh_tokens', 'memberships', 'invitations', 'api_keys', 'mfa_challenges', 'login_attempts', 'impersonation_requests', 'impersonations'],
  tenancy: ['workspaces', 'workspace_settings'],
  access: ['roles', 'role_permissions', 'role_versions', 'membership_roles', 'api_key_roles'],
  audit: ['audit_events', 'audit_chain', 'audit_chain_anchors', 'audit_seal_position'],
  secrets: ['secrets', 'secret_data_keys'],
  mail: ['outbox_messages'],
  workflows: ['workflows', 'workflow_versions', 'workflow_executions', 'workflow_step_runs', 'workflow_builds', 'workflow_build_branches'],
  webhooks: ['webhook_endpoints', 'webhook_inbound_deliveries', 'webhook_inbound_replays', 'webhook_outbound_attempts', 'webhook_outbound_deliveries', 'event_subscriptions'],
  requests: ['workflow_requests', 'workflow_request_events'],
  support: ['support_tickets', 'support_ticket_comments'],
  apilogs: ['api_logs'],
  admin: ['health_samples', 'workspace_accounts'],
  llm: ['llm_providers', 'llm_platform_providers', 'llm_aliases', 'llm_prices', 'llm_workspace_prices'],
  usage: ['usage_events', 'usage_quotas', 'usage_counters', 'usage_reservations', 'usage_alerts', 'usage_rollups', 'usage_rollup_watermark'],
  agents: ['agents', 'agent_versions', 'agent_threads', 'agent_runs', 'agent_messages', 'agent_logs'],
  memory: ['memories', 'memory_counters', 'memory_spaces'],
  mcp: ['mcp_servers'],
  'data-api': ['data_schemas', 'data_migrations'],
};

/** Views a module publishes for every other module to read. */
const PUBLISHED: Record<string, string> = {
  workspace_directory: 'tenancy',
  workspace_setting_values: 'tenancy',
  user_directory: 'identity',
  api_key_role_sets: 'access',
};

/**
 * Reads that still cross a wall, each with its reason and where it goes next. Keep this short:
 * an entry here is a debt, not a permission.
 */
const KNOWN_CROSSINGS: Record<string, { tables: string[]; reason: string }> = {};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.includes('fixtures') ? [full] : [];
  });
}

function ownerOf(file: string): string {
  const rel = path.relative(path.join(root, 'src'), file).split(path.sep);
  return rel[0] === 'modules' ? rel[1] : rel[0];
}

const SQL_TABLE = /\b(?:from|join|into|update|truncate)\s+([a-z_][a-z0-9_]*)\b/gi;

test('every table of the migrations has one owner', () => {
  const sql = readdirSync(path.join(root, 'migrations')).filter((f) => f.endsWith('.sql')).map((f) => readFileSync(path.join(root, 'migrations', f), 'utf8')).join('\n');
  const created = [...sql.matchAll(/create table (?:if not exists )?([a-z_]+)/g)].map((m) => m[1]);
  const owned = Object.values(OWNERS).flat();
  assert.deepEqual(created.filter((t) => !owned.includes(t)), [], 'tables without an owner in this test');
  assert.equal(new Set(owned).size, owned.length, 'a table has two owners');
  const views = [...sql.matchAll(/create view ([a-z_]+)/g)].map((m) => m[1]);
  assert.deepEqual(views.sort(), Object.keys(PUBLISHED).sort(), 'every view is a published one, with its owner');
});

test('a module names only its own tables and published views in its SQL', () => {
  const owner = new Map(Object.entries(OWNERS).flatMap(([m, tables]) => tables.map((t) => [t, m] as const)));
  const crossings: string[] = [];
  for (const file of sourceFiles(path.join(root, 'src'))) {
    const module = ownerOf(file);
    const rel = path.relative(root, file);
    const known = KNOWN_CROSSINGS[rel]?.tables ?? [];
    for (const m of readFileSync(file, 'utf8').matchAll(SQL_TABLE)) {
      const table = m[1].toLowerCase();
      const tableOwner = owner.get(table);
      if (!tableOwner || tableOwner === module || known.includes(table)) continue;
      crossings.push(`${rel}: ${module} reads ${table} (owned by ${tableOwner}${Object.keys(PUBLISHED).length ? '; read a published view or a door instead' : ''})`);
    }
  }
  assert.deepEqual([...new Set(crossings)], []);
});

test('a known crossing that no longer crosses is removed from the list', () => {
  for (const [file, { tables }] of Object.entries(KNOWN_CROSSINGS)) {
    const text = readFileSync(path.join(root, file), 'utf8');
    const named = new Set([...text.matchAll(SQL_TABLE)].map((m) => m[1].toLowerCase()));
    assert.deepEqual(tables.filter((t) => !named.has(t)), [], `${file}: listed tables it no longer reads`);
  }
});
