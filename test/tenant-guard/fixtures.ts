// Two workspaces, A and B, each with an owner, and A with one of every kind of row. Built
// through the platform path so the suite does not depend on the routes it tests.
import type { TestPlatform } from '../helpers/platform.ts';
import { generateApiKey, sha256 } from '../../src/modules/identity/tokens.ts';
import { signedHeaders } from '../../src/modules/webhooks/webhooks.fixtures.ts';

export type Tenant = { workspaceId: string; slug: string; ownerId: string; ownerEmail: string; token: string; apiKey: string };
export type Fixtures = {
  a: Tenant & { memberId: string; apiKeyId: string; invitationId: string; mailId: string; sessionId: string; childWorkspaceId: string; secretName: string; secretId: string; auditEventId: string; roleId: string;
    workflowId: string; executionId: string; requestId: string; ticketId: string; apiLogId: string; jobId: string; buildId: string;
    endpointId: string; endpointSecret: string; inboundDeliveryId: string; subscriptionId: string; outboundDeliveryId: string;
    llmProviderId: string; llmAlias: string; llmPriceModel: string;
    agentId: string; threadId: string; runId: string; assistantThreadId: string; memoryId: string; sharedMemoryId: string; mcpServerId: string };
  /** When A's fixtures were made: B's API logs up to here hold none of what B sends later. */
  createdAt: string;
  b: Tenant;
  /** Strings of A that must never appear in a response to B. */
  secretsOfA: string[];
};

async function createTenant(platform: TestPlatform, slug: string): Promise<Tenant & { sessionId: string }> {
  const passwordHash = await platform.identity.passwords.hash(`password-of-${slug}`);
  const email = `owner-${slug}@example.com`;
  const ids = await platform.db.withPlatform(async (tx) => {
    const w = await tx.query<{ id: string }>(`insert into workspaces (slug, name) values ($1, $2) returning id`, [slug, `Workspace ${slug.toUpperCase()}`]);
    const u = await tx.query<{ id: string }>(`insert into users (email, name, password_hash) values ($1, $2, $3) returning id`, [email, `Owner ${slug}`, passwordHash]);
    await tx.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, 'owner')`, [w.rows[0].id, u.rows[0].id]);
    const key = generateApiKey();
    await tx.query(`insert into api_keys (workspace_id, name, prefix, key_hash, role, created_by) values ($1, $2, $3, $4, 'admin', $5)`,
      [w.rows[0].id, `key of ${slug}`, key.prefix, key.hash, u.rows[0].id]);
    return { workspaceId: w.rows[0].id, ownerId: u.rows[0].id, apiKey: key.key };
  });
  const pair = await platform.db.withWorkspace(ids.workspaceId, (tx) =>
    platform.identity.sessions.openSession(tx, { userId: ids.ownerId, workspaceId: ids.workspaceId, role: 'owner', isPlatformAdmin: false }));
  return { ...ids, slug, ownerEmail: email, token: pair.accessToken, sessionId: pair.sessionId };
}

export async function createFixtures(platform: TestPlatform): Promise<Fixtures> {
  const a = await createTenant(platform, 'guard-a');
  const b = await createTenant(platform, 'guard-b');
  const extra = await platform.db.withPlatform(async (tx) => {
    const m = await tx.query<{ id: string }>(`insert into users (email, name) values ('member-of-a@example.com', 'Member of A') returning id`);
    await tx.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, 'member')`, [a.workspaceId, m.rows[0].id]);
    const k = await tx.query<{ id: string }>(`select id from api_keys where workspace_id = $1`, [a.workspaceId]);
    const inv = await tx.query<{ id: string }>(
      `insert into invitations (workspace_id, email, role, token_hash, invited_by, expires_at)
       values ($1, 'invitee-of-a@example.com', 'member', $2, $3, now() + interval '7 days') returning id`,
      [a.workspaceId, sha256('guard-invitation-token'), a.ownerId]);
    const mail = await tx.query<{ id: string }>(
      `insert into outbox_messages (workspace_id, to_address, subject, text_body, status)
       values ($1, 'invitee-of-a@example.com', 'Secret subject of A', 'body of A', 'stored') returning id`, [a.workspaceId]);
    const child = await tx.query<{ id: string }>(`insert into workspaces (slug, name, parent_id, kind) values ('guard-a-child', 'Child of A', $1, 'project') returning id`, [a.workspaceId]);
    await tx.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, 'owner')`, [child.rows[0].id, a.ownerId]);
    return { memberId: m.rows[0].id, apiKeyId: k.rows[0].id, invitationId: inv.rows[0].id, mailId: mail.rows[0].id, childWorkspaceId: child.rows[0].id };
  });
  // Secrets are encrypted by the module, so A's is created through the API as A's owner.
  const secretValue = 'guard-secret-value-of-a-9f8e7d';
  const put = await platform.app.inject({ method: 'PUT', url: '/api/v1/secrets/GUARD_SECRET_A', headers: { authorization: `Bearer ${a.token}` }, payload: { value: secretValue, description: 'Secret description of A' } });
  if (put.statusCode !== 201) throw new Error(`fixture: creating A's secret answered ${put.statusCode} ${put.body}`);
  const secretId = (put.json() as { id: string }).id;
  // A custom role of A, held by A's member …
  const role = await platform.app.inject({ method: 'POST', url: '/api/v1/roles', headers: { authorization: `Bearer ${a.token}` }, payload: { name: 'Role of A', description: 'Role description of A', permissions: [{ permission: 'api_key.read' }] } });
  if (role.statusCode !== 201) throw new Error(`fixture: creating A's role answered ${role.statusCode} ${role.body}`);
  const roleId = (role.json() as { id: string }).id;
  const assigned = await platform.app.inject({ method: 'PUT', url: `/api/v1/members/${extra.memberId}/roles`, headers: { authorization: `Bearer ${a.token}` }, payload: { roleIds: [roleId] } });
  if (assigned.statusCode >= 300) throw new Error(`fixture: assigning A's role answered ${assigned.statusCode} ${assigned.body}`);
  // … and by A's API key.
  const keyRoles = await platform.app.inject({ method: 'PUT', url: `/api/v1/api-keys/${extra.apiKeyId}/roles`, headers: { authorization: `Bearer ${a.token}` }, payload: { roleIds: [roleId] } });
  if (keyRoles.statusCode >= 300) throw new Error(`fixture: giving A's key A's role answered ${keyRoles.statusCode} ${keyRoles.body}`);
  // Durable execution: a deployed workflow with an execution (no worker runs: it stays pending),
  // a workflow request, a support ticket, an API log row and a job.
  const asA = async (method: 'POST', url: string, payload: Record<string, unknown>) => {
    const res = await platform.app.inject({ method, url, headers: { authorization: `Bearer ${a.token}` }, payload });
    if (res.statusCode >= 300) throw new Error(`fixture: ${method} ${url} answered ${res.statusCode} ${res.body}`);
    return res.json() as Record<string, string>;
  };
  const workflow = await asA('POST', '/api/v1/workflows', { name: 'Guard workflow of A', definition: { steps: [{ id: 't', type: 'transform', expression: '"output-of-a"' }] } });
  await asA('POST', `/api/v1/workflows/${workflow.id}/deploy`, {});
  const execution = await asA('POST', `/api/v1/workflows/${workflow.id}/execute`, { input: { q: 'input-of-a' } });
  const request = await asA('POST', '/api/v1/requests', { title: 'Guard request of A', frequency: 'weekly' });
  const ticket = await asA('POST', '/api/v1/tickets', { subject: 'Guard ticket of A', description: 'Ticket description of A' });
  const apiLog = await platform.db.withPlatform((tx) => tx.query<{ id: string }>(
    `insert into api_logs (id, workspace_id, created_at, method, endpoint, status, duration_ms, error_code, request_id, request_body, response_body)
     values (gen_random_uuid(), $1, now(), 'PUT', '/api/v1/secrets/:name', 400, 3.2, 'VALIDATION_FAILED', 'guard-a-req', '{"description":"api log body of A"}', '{"code":"VALIDATION_FAILED"}') returning id`, [a.workspaceId]));
  const job = await platform.db.withPlatform(async (tx) => (await tx.query<{ id: string }>('select id from jobs where workspace_id = $1 limit 1', [a.workspaceId])).rows[0]);
  if (!job) throw new Error('fixture: the execution of A enqueued no job');
  // The deploy queued a build of A's workflow (no worker runs here: it stays queued, a row all the same).
  const build = await platform.db.withPlatform(async (tx) => (await tx.query<{ id: string }>('select id from workflow_builds where workspace_id = $1 limit 1', [a.workspaceId])).rows[0]);
  if (!build) throw new Error('fixture: the deploy of A queued no build');
  // Webhooks: an inbound endpoint with one signed delivery, an event subscription with one test delivery.
  const endpoint = await asA('POST', '/api/v1/webhook-endpoints', { name: 'Guard endpoint of A', workflowId: workflow.id });
  const hookBody = JSON.stringify({ event: 'hook-body-of-a' });
  const hook = await platform.app.inject({ method: 'POST', url: `/api/v1/hooks/${endpoint.id}`, headers: signedHeaders(endpoint.secret, hookBody), payload: hookBody });
  if (hook.statusCode >= 300) throw new Error(`fixture: the signed delivery to A's endpoint answered ${hook.statusCode} ${hook.body}`);
  const allowed = await platform.app.inject({ method: 'PATCH', url: '/api/v1/workspaces/current', headers: { authorization: `Bearer ${a.token}` }, payload: { settings: { 'network.allow_private_addresses': true } } });
  if (allowed.statusCode >= 300) throw new Error(`fixture: allowing private addresses answered ${allowed.statusCode} ${allowed.body}`);
  const subscription = await asA('POST', '/api/v1/event-subscriptions', { url: 'http://127.0.0.1:9/a-receiver', eventTypes: ['execution.completed'], description: 'Subscription of A' });
  const ping = await asA('POST', `/api/v1/event-subscriptions/${subscription.id}/test`, {});
  // The AI gateway: a provider (key by vault name), an alias, a price override, a quota on A's key, a usage event.
  const provider = await asA('POST', '/api/v1/llm/providers', { name: 'guard-a-llm', kind: 'openai_compatible', baseUrl: 'http://127.0.0.1:9/guard-a-llm/v1', secretName: 'GUARD_SECRET_A' });
  const aliasPut = await platform.app.inject({ method: 'PUT', url: '/api/v1/llm/aliases/guard-a-alias', headers: { authorization: `Bearer ${a.token}` }, payload: { targets: [{ providerId: provider.id, model: 'guard-a-model' }] } });
  if (aliasPut.statusCode !== 201) throw new Error(`fixture: A's alias answered ${aliasPut.statusCode} ${aliasPut.body}`);
  await asA('POST', '/api/v1/llm/prices', { model: 'guard-a-model', inputPerMtok: 111, outputPerMtok: 222 });
  const quota = await platform.app.inject({ method: 'PUT', url: '/api/v1/usage/quotas', headers: { authorization: `Bearer ${a.token}` }, payload: { scope: 'api_key', subjectId: extra.apiKeyId, monthlyTokens: 1000, monthlyCostMicros: null } });
  if (quota.statusCode !== 200) throw new Error(`fixture: A's quota answered ${quota.statusCode} ${quota.body}`);
  await platform.db.withPlatform((tx) => tx.query(
    `insert into usage_events (workspace_id, request_id, api_key_id, provider_id, provider_name, operation, api_format, model, resolved_model, input_tokens, output_tokens, cost_micros, pricing, usage_source, status)
     values ($1, 'guard-a-usage-req', $2, $3, 'guard-a-llm', 'chat', 'openai', 'guard-a-alias', 'guard-a-usage-model', 10, 5, 7, 'priced', 'provider', 'ok')`, [a.workspaceId, extra.apiKeyId, provider.id]));
  const llm = { llmProviderId: provider.id, llmAlias: 'guard-a-alias', llmPriceModel: 'guard-a-model' };
  // Agents: an agent (published), a conversation and a run (written as a run would), memories, a log entry.
  const agent = await asA('POST', '/api/v1/agents', { name: 'Guard agent of A', description: 'Agent description of A', config: { model: 'guard-a-alias', systemPrompt: 'Prompt of A', tools: ['memory.recall'] } });
  await asA('POST', `/api/v1/agents/${agent.id}/publish`, {});
  const memory = await asA('POST', `/api/v1/agents/${agent.id}/remember`, { text: 'Memory of A about guard invoices', tags: ['guard-a-tag'] });
  const shared = await asA('POST', '/api/v1/memories', { text: 'Shared memory of A about guard hours' });
  const agentRows = await platform.db.withWorkspace(a.workspaceId, async (tx) => {
    const thread = await tx.query<{ id: string }>(`insert into agent_threads (workspace_id, agent_id, title) values ($1, $2, 'Thread of A') returning id`, [a.workspaceId, agent.id]);
    const run = await tx.query<{ id: string }>(`insert into agent_runs (workspace_id, agent_id, version, thread_id, trigger, status, ended_at) values ($1, $2, 1, $3, 'chat', 'completed', now()) returning id`, [a.workspaceId, agent.id, thread.rows[0].id]);
    await tx.query(`insert into agent_messages (workspace_id, thread_id, run_id, role, content) values ($1, $2, $3, 'user', 'Message of A')`, [a.workspaceId, thread.rows[0].id, run.rows[0].id]);
    await tx.query(`insert into agent_logs (workspace_id, agent_id, run_id, level, type, message) values ($1, $2, $3, 'info', 'run_ended', 'Log line of A')`, [a.workspaceId, agent.id, run.rows[0].id]);
    // The console assistant of A, with a conversation of A's owner.
    const assistant = await tx.query<{ id: string }>(`insert into agents (workspace_id, name, draft, kind) values ($1, 'Console assistant', '{"model":"guard-a-alias"}', 'assistant') returning id`, [a.workspaceId]);
    const talk = await tx.query<{ id: string }>(`insert into agent_threads (workspace_id, agent_id, title, created_by) values ($1, $2, 'Assistant thread of A', $3) returning id`, [a.workspaceId, assistant.rows[0].id, a.ownerId]);
    await tx.query(`insert into agent_messages (workspace_id, thread_id, role, content) values ($1, $2, 'user', 'Assistant message of A')`, [a.workspaceId, talk.rows[0].id]);
    return { threadId: thread.rows[0].id, runId: run.rows[0].id, assistantThreadId: talk.rows[0].id };
  });
  // An external MCP server of A (unreachable: its status is failed) with a tool as a refresh would have kept it.
  const mcpServer = await asA('POST', '/api/v1/mcp/servers', { name: 'guard_a_mcp', url: 'http://127.0.0.1:9/guard-a-mcp', secretName: 'GUARD_SECRET_A' });
  await platform.db.withWorkspace(a.workspaceId, (tx) => tx.query(
    `update mcp_servers set tools = '[{"name":"guard_a_tool","originalName":"GuardATool","description":"Tool of A","inputSchema":{"type":"object"},"readOnly":true,"idempotent":true}]' where workspace_id = $1 and id = $2`,
    [a.workspaceId, mcpServer.id]));
  // A's own table in its data schema, with a row (the data API).
  await asA('POST', '/api/v1/data/migrations', { operations: [{ op: 'create_table', table: 'guard_a_things', columns: [{ name: 'label', type: 'text' }] }] });
  const dataRow = await asA('POST', '/api/v1/data/graphql', { query: 'mutation { createGuardAThing(input: { label: "Data row of A" }) { id } }' });
  if (!(dataRow as unknown as { data?: unknown }).data) throw new Error(`fixture: A's data row was refused ${JSON.stringify(dataRow)}`);
  const agents = { agentId: agent.id, ...agentRows, memoryId: memory.id, sharedMemoryId: shared.id, mcpServerId: mcpServer.id };
  const hooks = { endpointId: endpoint.id, endpointSecret: endpoint.secret, inboundDeliveryId: (hook.json() as { deliveryId: string }).deliveryId, subscriptionId: subscription.id, outboundDeliveryId: ping.id };
  const durable = { workflowId: workflow.id, executionId: execution.executionId, requestId: request.id, ticketId: ticket.id, apiLogId: apiLog.rows[0].id, jobId: job.id, buildId: build.id };
  const audit = await platform.db.withPlatform((tx) =>
    tx.query<{ id: string }>(`select id from audit_events where workspace_id = $1 and action = 'secret.created'`, [a.workspaceId]));
  if (!audit.rows[0]) throw new Error('fixture: no audit event for A\'s secret');
  return {
    a: { ...a, ...extra, ...durable, ...hooks, ...llm, ...agents, secretName: 'GUARD_SECRET_A', secretId, auditEventId: audit.rows[0].id, roleId },
    b,
    createdAt: new Date().toISOString(),
    secretsOfA: [a.workspaceId, a.ownerId, a.ownerEmail, a.slug, 'Workspace GUARD-A', extra.memberId, 'member-of-a@example.com',
      extra.apiKeyId, 'key of guard-a', extra.invitationId, 'invitee-of-a@example.com', extra.mailId, 'Secret subject of A',
      extra.childWorkspaceId, 'guard-a-child', a.sessionId, secretValue, secretId, 'workspace/guard-a/GUARD_SECRET_A', 'Secret description of A', audit.rows[0].id, roleId, 'Role of A', 'Role description of A',
      ...Object.values(durable), 'Guard workflow of A', 'output-of-a', 'input-of-a', 'Guard request of A', 'Guard ticket of A', 'Ticket description of A', 'api log body of A', 'guard-a-req',
      ...Object.values(hooks), 'Guard endpoint of A', 'hook-body-of-a', 'a-receiver', 'Subscription of A',
      provider.id, 'guard-a-llm', 'guard-a-alias', 'guard-a-model', 'guard-a-usage-model', 'guard-a-usage-req',
      ...Object.values(agents), 'Guard agent of A', 'Agent description of A', 'Prompt of A', 'Memory of A about guard invoices', 'guard-a-tag', 'Shared memory of A about guard hours', 'Assistant thread of A', 'Assistant message of A',
      'Thread of A', 'Message of A', 'Log line of A', 'guard_a_mcp', 'guard-a-mcp', 'guard_a_tool', 'GuardATool', 'Tool of A',
      'guard_a_things', 'GuardAThing', 'Data row of A'],
  };
}
