// The tenant-guard suite: every route, called with workspace B's credentials (a user session
// and an API key) against workspace A's ids, answers 404 (existence is not revealed); B's
// listings never contain A's rows; nothing of A changes. Every /api route must have a case
// here: a route added without one fails `every route has joined the suite`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { createFixtures } from './fixtures.ts';
import { signedHeaders } from '../../src/modules/webhooks/webhooks.fixtures.ts';
import type { Fixtures } from './fixtures.ts';

type Credential = 'session' | 'apiKey';
type Call = { method: string; url: string; payload?: Record<string, unknown> };

/**
 * - `byId`: addresses one of A's rows by id → 404 with B's session; with B's API key 404, or 403
 *   when the route is for sessions only (refused before any lookup, so nothing is revealed).
 * - `list`: B's own data → 2xx and none of A's strings.
 * - `caller`: acts on the caller's own workspace or user; any attempt to name A in the body is
 *   ignored or refused; never one of A's strings, and A is unchanged (checked at the end).
 * - `public`: no credentials involved; the reason says why it can't cross workspaces.
 * - `platform`: platform admins only → 403 for B, whatever the ids.
 */
type Case =
  | { kind: 'byId'; call: (fx: Fixtures) => Call }
  | { kind: 'list'; call: (fx: Fixtures) => Call }
  | { kind: 'caller'; call: (fx: Fixtures) => Call; isDestructive?: boolean }
  | { kind: 'public'; reason: string }
  | { kind: 'platform'; call: (fx: Fixtures) => Call };

const CASES: Record<string, Case> = {
  'GET /api/v1/openapi.json': { kind: 'public', reason: 'static API description' },
  'GET /api/v1/usage/quotas': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/usage/quotas' }) },
  'PUT /api/v1/usage/quotas': { kind: 'caller', call: (fx) => ({ method: 'PUT', url: '/api/v1/usage/quotas', payload: { scope: 'api_key', subjectId: fx.a.apiKeyId, monthlyTokens: 1, monthlyCostMicros: null } }) },
  'DELETE /api/v1/usage/quotas/:scope/:subjectId': { kind: 'byId', call: (fx) => ({ method: 'DELETE', url: `/api/v1/usage/quotas/api_key/${fx.a.apiKeyId}` }) },
  'GET /api/v1/usage/events': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/usage/events' }) },
  'GET /api/v1/usage/events.csv': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/usage/events.csv' }) },
  'GET /api/v1/usage/summary': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/usage/summary?groupBy=model' }) },
  'GET /api/v1/usage/alerts': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/usage/alerts' }) },
  'PUT /api/v1/admin/workspaces/:id/quotas': { kind: 'platform', call: (fx) => ({ method: 'PUT', url: `/api/v1/admin/workspaces/${fx.a.workspaceId}/quotas`, payload: { scope: 'workspace', monthlyTokens: 1, monthlyCostMicros: 1 } }) },
  'GET /api/v1/agents/tools': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/agents/tools' }) },
  'GET /api/v1/agents': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/agents' }) },
  'POST /api/v1/agents': { kind: 'caller', call: () => ({ method: 'POST', url: '/api/v1/agents', payload: { name: 'Agent of B', config: { model: 'b-model' } } }) },
  'GET /api/v1/agents/:id': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/agents/${fx.a.agentId}` }) },
  'PATCH /api/v1/agents/:id': { kind: 'byId', call: (fx) => ({ method: 'PATCH', url: `/api/v1/agents/${fx.a.agentId}`, payload: { name: 'taken by B' } }) },
  'DELETE /api/v1/agents/:id': { kind: 'byId', call: (fx) => ({ method: 'DELETE', url: `/api/v1/agents/${fx.a.agentId}` }) },
  'POST /api/v1/agents/:id/publish': { kind: 'byId', call: (fx) => ({ method: 'POST', url: `/api/v1/agents/${fx.a.agentId}/publish` }) },
  'GET /api/v1/agents/:id/versions': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/agents/${fx.a.agentId}/versions` }) },
  'POST /api/v1/agents/:id/chat': { kind: 'byId', call: (fx) => ({ method: 'POST', url: `/api/v1/agents/${fx.a.agentId}/chat`, payload: { message: 'hello', threadId: fx.a.threadId } }) },
  'GET /api/v1/agents/:id/threads': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/agents/${fx.a.agentId}/threads` }) },
  'GET /api/v1/agents/:id/threads/:threadId': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/agents/${fx.a.agentId}/threads/${fx.a.threadId}` }) },
  'GET /api/v1/agents/:id/runs': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/agents/${fx.a.agentId}/runs` }) },
  'GET /api/v1/agents/:id/runs/:runId': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/agents/${fx.a.agentId}/runs/${fx.a.runId}` }) },
  'POST /api/v1/agents/:id/runs/:runId/cancel': { kind: 'byId', call: (fx) => ({ method: 'POST', url: `/api/v1/agents/${fx.a.agentId}/runs/${fx.a.runId}/cancel` }) },
  'GET /api/v1/agents/:id/logs': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/agents/${fx.a.agentId}/logs` }) },
  'DELETE /api/v1/agents/:id/logs': { kind: 'byId', call: (fx) => ({ method: 'DELETE', url: `/api/v1/agents/${fx.a.agentId}/logs` }) },
  'GET /api/v1/agents/:id/webhook': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/agents/${fx.a.agentId}/webhook` }) },
  'PUT /api/v1/agents/:id/webhook': { kind: 'byId', call: (fx) => ({ method: 'PUT', url: `/api/v1/agents/${fx.a.agentId}/webhook`, payload: { mode: 'async', callbackUrl: 'https://example.com/hijack' } }) },
  'DELETE /api/v1/agents/:id/webhook': { kind: 'byId', call: (fx) => ({ method: 'DELETE', url: `/api/v1/agents/${fx.a.agentId}/webhook` }) },
  'POST /api/v1/agents/:id/webhook/rotate-secret': { kind: 'byId', call: (fx) => ({ method: 'POST', url: `/api/v1/agents/${fx.a.agentId}/webhook/rotate-secret`, payload: {} }) },
  'POST /api/v1/assistant/chat': { kind: 'caller', call: (fx) => ({ method: 'POST', url: '/api/v1/assistant/chat', payload: { model: 'guard-a-alias', threadId: fx.a.assistantThreadId, message: 'Show me A' } }) },
  'GET /api/v1/assistant/threads': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/assistant/threads' }) },
  'GET /api/v1/assistant/threads/:threadId': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/assistant/threads/${fx.a.assistantThreadId}` }) },
  // The data API: B's calls reach B's own data schema only (its tables, its rows, its migrations).
  'POST /api/v1/data/graphql': { kind: 'caller', call: () => ({ method: 'POST', url: '/api/v1/data/graphql', payload: { query: '{ __schema { types { name fields { name } } } }' } }) },
  'GET /api/v1/data/graphql': { kind: 'list', call: () => ({ method: 'GET', url: `/api/v1/data/graphql?query=${encodeURIComponent('{ __schema { types { name } } }')}` }) },
  'GET /api/v1/data/schema.graphql': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/data/schema.graphql' }) },
  'GET /api/v1/data/tables': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/data/tables' }) },
  'GET /api/v1/data/metrics': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/data/metrics?range=24h' }) },
  'GET /api/v1/admin/data/usage': { kind: 'platform', call: () => ({ method: 'GET', url: '/api/v1/admin/data/usage?range=24h' }) },
  'GET /api/v1/data/migrations': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/data/migrations' }) },
  'POST /api/v1/data/migrations': { kind: 'caller', call: () => ({ method: 'POST', url: '/api/v1/data/migrations', payload: { operations: [{ op: 'create_table', table: 'guard_b_things', columns: [{ name: 'label', type: 'text' }] }] } }) },
  'GET /api/v1/mcp/servers': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/mcp/servers' }) },
  'POST /api/v1/mcp/servers': { kind: 'caller', call: (fx) => ({ method: 'POST', url: '/api/v1/mcp/servers', payload: { name: 'guarda', url: 'https://mcp.example.com/mcp', secretName: fx.a.secretName } }) },
  'GET /api/v1/mcp/servers/:id': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/mcp/servers/${fx.a.mcpServerId}` }) },
  'PATCH /api/v1/mcp/servers/:id': { kind: 'byId', call: (fx) => ({ method: 'PATCH', url: `/api/v1/mcp/servers/${fx.a.mcpServerId}`, payload: { isEnabled: false } }) },
  'DELETE /api/v1/mcp/servers/:id': { kind: 'byId', call: (fx) => ({ method: 'DELETE', url: `/api/v1/mcp/servers/${fx.a.mcpServerId}` }) },
  'POST /api/v1/mcp/servers/:id/refresh': { kind: 'byId', call: (fx) => ({ method: 'POST', url: `/api/v1/mcp/servers/${fx.a.mcpServerId}/refresh` }) },
  'POST /api/v1/mcp': { kind: 'caller', call: () => ({ method: 'POST', url: '/api/v1/mcp', payload: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'memory__recall', arguments: { query: 'guard invoices hours' } } } }) },
  'POST /api/v1/agents/:id/webhook': { kind: 'public', reason: 'authenticated by the agent\'s webhook secret (A\'s): credentials of B change nothing; a delivery signed with another secret is refused (agent-webhook.test.ts)' },
  'POST /api/v1/agents/:id/remember': { kind: 'byId', call: (fx) => ({ method: 'POST', url: `/api/v1/agents/${fx.a.agentId}/remember`, payload: { text: 'B writes into A' } }) },
  'GET /api/v1/agents/:id/recall': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/agents/${fx.a.agentId}/recall?query=guard%20invoices` }) },
  'GET /api/v1/agents/:id/memories': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/agents/${fx.a.agentId}/memories` }) },
  'GET /api/v1/memories': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/memories' }) },
  'POST /api/v1/memories': { kind: 'caller', call: () => ({ method: 'POST', url: '/api/v1/memories', payload: { text: 'Shared memory of B' } }) },
  'GET /api/v1/memories/recall': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/memories/recall?query=guard%20hours' }) },
  'GET /api/v1/memories/space': { kind: 'caller', call: () => ({ method: 'GET', url: '/api/v1/memories/space' }) },
  'PUT /api/v1/memories/space': { kind: 'caller', call: (fx) => ({ method: 'PUT', url: '/api/v1/memories/space', payload: { provider: 'mem0', baseUrl: 'https://mem0.example.com', orgId: 'org', secretName: fx.a.secretName } }) },
  'POST /api/v1/memories/space/check': { kind: 'caller', call: () => ({ method: 'POST', url: '/api/v1/memories/space/check' }) },
  'GET /api/v1/memories/quota': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/memories/quota' }) },
  'GET /api/v1/memories/export': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/memories/export' }) },
  'PATCH /api/v1/memories/:id': { kind: 'byId', call: (fx) => ({ method: 'PATCH', url: `/api/v1/memories/${fx.a.memoryId}`, payload: { text: 'B rewrites A' } }) },
  'DELETE /api/v1/memories/:id': { kind: 'byId', call: (fx) => ({ method: 'DELETE', url: `/api/v1/memories/${fx.a.sharedMemoryId}` }) },
  'GET /api/v1/admin/usage/summary': { kind: 'platform', call: () => ({ method: 'GET', url: '/api/v1/admin/usage/summary?groupBy=workspace' }) },
  'GET /api/v1/admin/usage/events.csv': { kind: 'platform', call: () => ({ method: 'GET', url: '/api/v1/admin/usage/events.csv' }) },
  'GET /api/v1/admin/workspaces/:id/quotas': { kind: 'platform', call: (fx) => ({ method: 'GET', url: `/api/v1/admin/workspaces/${fx.a.workspaceId}/quotas` }) },
  'GET /api/v1/llm/providers': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/llm/providers' }) },
  'POST /api/v1/llm/providers': { kind: 'caller', call: (fx) => ({ method: 'POST', url: '/api/v1/llm/providers', payload: { name: 'b-llm', kind: 'openai', secretName: fx.a.secretName } }) },
  'GET /api/v1/llm/providers/:id': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/llm/providers/${fx.a.llmProviderId}` }) },
  'PATCH /api/v1/llm/providers/:id': { kind: 'byId', call: (fx) => ({ method: 'PATCH', url: `/api/v1/llm/providers/${fx.a.llmProviderId}`, payload: { isEnabled: false } }) },
  'DELETE /api/v1/llm/providers/:id': { kind: 'byId', call: (fx) => ({ method: 'DELETE', url: `/api/v1/llm/providers/${fx.a.llmProviderId}` }) },
  'POST /api/v1/llm/providers/:id/test': { kind: 'byId', call: (fx) => ({ method: 'POST', url: `/api/v1/llm/providers/${fx.a.llmProviderId}/test` }) },
  'GET /api/v1/llm/providers/:id/models': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/llm/providers/${fx.a.llmProviderId}/models` }) },
  'GET /api/v1/llm/aliases': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/llm/aliases' }) },
  'PUT /api/v1/llm/aliases/:name': { kind: 'caller', call: (fx) => ({ method: 'PUT', url: `/api/v1/llm/aliases/${fx.a.llmAlias}`, payload: { targets: [{ providerId: fx.a.llmProviderId, model: 'x' }] } }) },
  'DELETE /api/v1/llm/aliases/:name': { kind: 'byId', call: (fx) => ({ method: 'DELETE', url: `/api/v1/llm/aliases/${fx.a.llmAlias}` }) },
  'GET /api/v1/llm/prices': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/llm/prices' }) },
  'POST /api/v1/llm/prices': { kind: 'caller', call: () => ({ method: 'POST', url: '/api/v1/llm/prices', payload: { model: 'guard-b-model', inputPerMtok: 1, outputPerMtok: 2 } }) },
  'DELETE /api/v1/llm/prices': { kind: 'byId', call: (fx) => ({ method: 'DELETE', url: `/api/v1/llm/prices?model=${fx.a.llmPriceModel}` }) },
  'GET /api/v1/admin/llm/providers': { kind: 'platform', call: () => ({ method: 'GET', url: '/api/v1/admin/llm/providers' }) },
  'POST /api/v1/admin/llm/providers': { kind: 'platform', call: () => ({ method: 'POST', url: '/api/v1/admin/llm/providers', payload: { name: 'b-op', kind: 'openai' } }) },
  'PATCH /api/v1/admin/llm/providers/:id': { kind: 'platform', call: (fx) => ({ method: 'PATCH', url: `/api/v1/admin/llm/providers/${fx.a.llmProviderId}`, payload: { isEnabled: false } }) },
  'DELETE /api/v1/admin/llm/providers/:id': { kind: 'platform', call: (fx) => ({ method: 'DELETE', url: `/api/v1/admin/llm/providers/${fx.a.llmProviderId}` }) },
  'POST /api/v1/admin/llm/providers/:id/test': { kind: 'platform', call: (fx) => ({ method: 'POST', url: `/api/v1/admin/llm/providers/${fx.a.llmProviderId}/test` }) },
  'GET /api/v1/admin/llm/prices': { kind: 'platform', call: () => ({ method: 'GET', url: '/api/v1/admin/llm/prices' }) },
  'POST /api/v1/admin/llm/prices': { kind: 'platform', call: () => ({ method: 'POST', url: '/api/v1/admin/llm/prices', payload: { model: 'b-model', inputPerMtok: 1, outputPerMtok: 1 } }) },
  'POST /v1/chat/completions': { kind: 'byId', call: (fx) => ({ method: 'POST', url: '/v1/chat/completions', payload: { model: fx.a.llmAlias, messages: [{ role: 'user', content: 'hi' }] } }) },
  'POST /v1/embeddings': { kind: 'byId', call: (fx) => ({ method: 'POST', url: '/v1/embeddings', payload: { model: fx.a.llmAlias, input: 'hi' } }) },
  'POST /v1/messages': { kind: 'byId', call: (fx) => ({ method: 'POST', url: '/v1/messages', payload: { model: `guard-a-llm/${fx.a.llmPriceModel}`, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] } }) },
  'GET /v1/models': { kind: 'list', call: () => ({ method: 'GET', url: '/v1/models' }) },
  'POST /api/v1/auth/login': { kind: 'byId', call: (fx) => ({ method: 'POST', url: '/api/v1/auth/login', payload: { email: fx.b.ownerEmail, password: 'password-of-guard-b', workspace: fx.a.slug } }) },
  'POST /api/v1/auth/login/mfa': { kind: 'public', reason: 'takes a challenge token issued to one user after their password' },
  'POST /api/v1/auth/refresh': { kind: 'public', reason: 'takes a refresh token, bound to its own session and workspace' },
  'POST /api/v1/auth/logout': { kind: 'caller', call: () => ({ method: 'POST', url: '/api/v1/auth/logout' }), isDestructive: true },
  'GET /api/v1/auth/me': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/auth/me' }) },
  'POST /api/v1/auth/switch': { kind: 'byId', call: (fx) => ({ method: 'POST', url: '/api/v1/auth/switch', payload: { workspaceId: fx.a.workspaceId } }) },
  'GET /api/v1/auth/sessions': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/auth/sessions' }) },
  'DELETE /api/v1/auth/sessions/:id': { kind: 'byId', call: (fx) => ({ method: 'DELETE', url: `/api/v1/auth/sessions/${fx.a.sessionId}` }) },
  'POST /api/v1/auth/password': { kind: 'caller', call: () => ({ method: 'POST', url: '/api/v1/auth/password', payload: { currentPassword: 'wrong-password-here', newPassword: 'another long password' } }) },
  'POST /api/v1/auth/mfa/enroll': { kind: 'caller', call: () => ({ method: 'POST', url: '/api/v1/auth/mfa/enroll' }) },
  'POST /api/v1/auth/mfa/verify': { kind: 'caller', call: () => ({ method: 'POST', url: '/api/v1/auth/mfa/verify', payload: { code: '000000' } }) },
  'POST /api/v1/auth/mfa/disable': { kind: 'caller', call: () => ({ method: 'POST', url: '/api/v1/auth/mfa/disable', payload: { password: 'password-of-guard-b', code: '000000' } }) },
  'POST /api/v1/auth/mfa/recovery-codes': { kind: 'caller', call: () => ({ method: 'POST', url: '/api/v1/auth/mfa/recovery-codes', payload: { code: '000000' } }) },
  'GET /api/v1/api-keys': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/api-keys' }) },
  'POST /api/v1/api-keys': { kind: 'caller', call: (fx) => ({ method: 'POST', url: '/api/v1/api-keys', payload: { name: 'b key', role: 'viewer', workspaceId: fx.a.workspaceId } }) },
  'DELETE /api/v1/api-keys/:id': { kind: 'byId', call: (fx) => ({ method: 'DELETE', url: `/api/v1/api-keys/${fx.a.apiKeyId}` }) },
  'PUT /api/v1/api-keys/:id/roles': { kind: 'byId', call: (fx) => ({ method: 'PUT', url: `/api/v1/api-keys/${fx.a.apiKeyId}/roles`, payload: { roleIds: [] } }) },
  'GET /api/v1/members': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/members' }) },
  'PATCH /api/v1/members/:userId': { kind: 'byId', call: (fx) => ({ method: 'PATCH', url: `/api/v1/members/${fx.a.memberId}`, payload: { role: 'viewer' } }) },
  'DELETE /api/v1/members/:userId': { kind: 'byId', call: (fx) => ({ method: 'DELETE', url: `/api/v1/members/${fx.a.memberId}` }) },
  'POST /api/v1/invitations': { kind: 'caller', call: (fx) => ({ method: 'POST', url: '/api/v1/invitations', payload: { email: 'someone-for-b@example.com', role: 'viewer', workspaceId: fx.a.workspaceId } }) },
  'GET /api/v1/invitations': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/invitations' }) },
  'DELETE /api/v1/invitations/:id': { kind: 'byId', call: (fx) => ({ method: 'DELETE', url: `/api/v1/invitations/${fx.a.invitationId}` }) },
  'GET /api/v1/invitations/lookup': { kind: 'public', reason: 'takes the invitation token (a capability sent to the invitee); ids are never accepted' },
  'POST /api/v1/invitations/accept': { kind: 'public', reason: 'takes the invitation token; binds to the invitation\'s own workspace only' },
  'GET /api/v1/workspaces': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/workspaces' }) },
  'GET /api/v1/workspaces/current': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/workspaces/current' }) },
  'GET /api/v1/workspaces/current/settings': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/workspaces/current/settings' }) },
  'PATCH /api/v1/workspaces/current': { kind: 'caller', call: (fx) => ({ method: 'PATCH', url: '/api/v1/workspaces/current', payload: { name: 'Renamed B', id: fx.a.workspaceId } }) },
  'POST /api/v1/workspaces': { kind: 'caller', call: (fx) => ({ method: 'POST', url: '/api/v1/workspaces', payload: { name: 'Child of B', kind: 'project', parentId: fx.a.workspaceId } }) },
  'DELETE /api/v1/workspaces/current': { kind: 'caller', call: () => ({ method: 'DELETE', url: '/api/v1/workspaces/current' }), isDestructive: true },
  'POST /api/v1/onboard/signup': { kind: 'public', reason: 'creates a new user and workspace; an existing email answers already_created with no data' },
  'GET /api/v1/mail': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/mail' }) },
  'GET /api/v1/mail/:id': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/mail/${fx.a.mailId}` }) },
  'GET /api/v1/secrets': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/secrets' }) },
  'GET /api/v1/secrets/:name': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/secrets/${fx.a.secretName}` }) },
  // Names are per workspace: B writing "A's" name creates B's own secret, never touches A's.
  'PUT /api/v1/secrets/:name': { kind: 'caller', call: (fx) => ({ method: 'PUT', url: `/api/v1/secrets/${fx.a.secretName}`, payload: { value: 'value of b', description: 'b' } }) },
  'DELETE /api/v1/secrets/:name': { kind: 'byId', call: (fx) => ({ method: 'DELETE', url: `/api/v1/secrets/${fx.a.secretName}` }) },
  'GET /api/v1/audit/events': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/audit/events' }) },
  'GET /api/v1/audit/events/:id': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/audit/events/${fx.a.auditEventId}` }) },
  'GET /api/v1/audit/export': { kind: 'list', call: (fx) => ({ method: 'GET', url: `/api/v1/audit/export?format=json&targetId=${fx.a.secretId}` }) },
  'GET /api/v1/audit/verify': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/audit/verify' }) },
  'GET /api/v1/admin/audit/events': { kind: 'platform', call: (fx) => ({ method: 'GET', url: `/api/v1/admin/audit/events?workspaceId=${fx.a.workspaceId}` }) },
  'POST /api/v1/impersonation': { kind: 'byId', call: (fx) => ({ method: 'POST', url: '/api/v1/impersonation', payload: { userId: fx.a.memberId, workspaceId: fx.a.workspaceId, reason: 'tenant guard: B tries to impersonate A' } }) },
  'POST /api/v1/impersonation/stop': { kind: 'caller', call: () => ({ method: 'POST', url: '/api/v1/impersonation/stop' }) },
  'GET /api/v1/impersonation/current': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/impersonation/current' }) },
  'GET /api/v1/impersonation/requests': { kind: 'platform', call: () => ({ method: 'GET', url: '/api/v1/impersonation/requests' }) },
  'POST /api/v1/impersonation/requests': { kind: 'platform', call: (fx) => ({ method: 'POST', url: '/api/v1/impersonation/requests', payload: { userId: fx.a.ownerId, workspaceId: fx.a.workspaceId, reason: 'tenant guard: B asks to impersonate A' } }) },
  'POST /api/v1/impersonation/requests/:id/approve': { kind: 'platform', call: () => ({ method: 'POST', url: '/api/v1/impersonation/requests/01a20000-0000-7000-8000-000000000000/approve' }) },
  'GET /api/v1/auth/preferences': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/auth/preferences' }) },
  'PATCH /api/v1/auth/preferences': { kind: 'caller', call: () => ({ method: 'PATCH', url: '/api/v1/auth/preferences', payload: { allowImpersonation: true } }) },
  'GET /api/v1/permissions': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/permissions' }) },
  'GET /api/v1/roles': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/roles' }) },
  'POST /api/v1/roles': { kind: 'caller', call: (fx) => ({ method: 'POST', url: '/api/v1/roles', payload: { name: 'Role of B', permissions: [{ permission: 'api_key.read' }], workspaceId: fx.a.workspaceId } }) },
  'GET /api/v1/roles/:id': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/roles/${fx.a.roleId}` }) },
  'PATCH /api/v1/roles/:id': { kind: 'byId', call: (fx) => ({ method: 'PATCH', url: `/api/v1/roles/${fx.a.roleId}`, payload: { name: 'Hijacked' } }) },
  'DELETE /api/v1/roles/:id': { kind: 'byId', call: (fx) => ({ method: 'DELETE', url: `/api/v1/roles/${fx.a.roleId}` }) },
  'PUT /api/v1/members/:userId/roles': { kind: 'byId', call: (fx) => ({ method: 'PUT', url: `/api/v1/members/${fx.a.memberId}/roles`, payload: { roleIds: [fx.a.roleId] } }) },
  'GET /api/v1/admin/workspaces': { kind: 'platform', call: () => ({ method: 'GET', url: '/api/v1/admin/workspaces' }) },
  'GET /api/v1/admin/workspaces/:id': { kind: 'platform', call: (fx) => ({ method: 'GET', url: `/api/v1/admin/workspaces/${fx.a.workspaceId}` }) },
  'PATCH /api/v1/admin/workspaces/:id': { kind: 'platform', call: (fx) => ({ method: 'PATCH', url: `/api/v1/admin/workspaces/${fx.a.workspaceId}`, payload: { plan: 'enterprise', notes: 'B was here' } }) },
  'POST /api/v1/admin/workspaces': { kind: 'platform', call: () => ({ method: 'POST', url: '/api/v1/admin/workspaces', payload: { name: 'Sneaky' } }) },
  'POST /api/v1/admin/workspaces/:id/suspend': { kind: 'platform', call: (fx) => ({ method: 'POST', url: `/api/v1/admin/workspaces/${fx.a.workspaceId}/suspend`, payload: {} }) },
  'POST /api/v1/admin/workspaces/:id/restore': { kind: 'platform', call: (fx) => ({ method: 'POST', url: `/api/v1/admin/workspaces/${fx.a.workspaceId}/restore` }) },
  'DELETE /api/v1/admin/workspaces/:id': { kind: 'platform', call: (fx) => ({ method: 'DELETE', url: `/api/v1/admin/workspaces/${fx.a.workspaceId}` }) },
  'POST /api/v1/admin/workspaces/:id/logout': { kind: 'platform', call: (fx) => ({ method: 'POST', url: `/api/v1/admin/workspaces/${fx.a.workspaceId}/logout` }) },
  'GET /api/v1/admin/users': { kind: 'platform', call: () => ({ method: 'GET', url: '/api/v1/admin/users' }) },
  'POST /api/v1/admin/users/:id/logout': { kind: 'platform', call: (fx) => ({ method: 'POST', url: `/api/v1/admin/users/${fx.a.ownerId}/logout` }) },
  'GET /api/v1/admin/mail': { kind: 'platform', call: () => ({ method: 'GET', url: '/api/v1/admin/mail' }) },
  // Durable execution: workflows and executions.
  'POST /api/v1/workflows': { kind: 'caller', call: (fx) => ({ method: 'POST', url: '/api/v1/workflows', payload: { name: 'Workflow of B', workspaceId: fx.a.workspaceId } }) },
  'GET /api/v1/workflows': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/workflows' }) },
  'GET /api/v1/workflows/:id': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/workflows/${fx.a.workflowId}` }) },
  'PATCH /api/v1/workflows/:id': { kind: 'byId', call: (fx) => ({ method: 'PATCH', url: `/api/v1/workflows/${fx.a.workflowId}`, payload: { name: 'Hijacked' } }) },
  'DELETE /api/v1/workflows/:id': { kind: 'byId', call: (fx) => ({ method: 'DELETE', url: `/api/v1/workflows/${fx.a.workflowId}` }) },
  'GET /api/v1/workflows/:id/versions': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/workflows/${fx.a.workflowId}/versions` }) },
  'POST /api/v1/workflows/:id/versions': { kind: 'byId', call: (fx) => ({ method: 'POST', url: `/api/v1/workflows/${fx.a.workflowId}/versions`, payload: { definition: { steps: [{ id: 'x', type: 'transform', expression: '1' }] } } }) },
  'POST /api/v1/workflows/:id/deploy': { kind: 'byId', call: (fx) => ({ method: 'POST', url: `/api/v1/workflows/${fx.a.workflowId}/deploy`, payload: {} }) },
  'POST /api/v1/workflows/:id/execute': { kind: 'byId', call: (fx) => ({ method: 'POST', url: `/api/v1/workflows/${fx.a.workflowId}/execute`, payload: { input: {} } }) },
  'GET /api/v1/workflows/:id/executions': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/workflows/${fx.a.workflowId}/executions` }) },
  'GET /api/v1/workflows/:id/stats': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/workflows/${fx.a.workflowId}/stats` }) },
  'GET /api/v1/workflows/:id/builds': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/workflows/${fx.a.workflowId}/builds` }) },
  'POST /api/v1/workflows/:id/builds': { kind: 'byId', call: (fx) => ({ method: 'POST', url: `/api/v1/workflows/${fx.a.workflowId}/builds` }) },
  'GET /api/v1/builds/:id': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/builds/${fx.a.buildId}?files=true` }) },
  'GET /api/v1/admin/workspaces/:id/builds': { kind: 'platform', call: (fx) => ({ method: 'GET', url: `/api/v1/admin/workspaces/${fx.a.workspaceId}/builds` }) },
  'GET /api/v1/builds/:id/diff': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/builds/${fx.a.buildId}/diff?against=${fx.a.buildId}` }) },
  'GET /api/v1/executions': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/executions' }) },
  'GET /api/v1/executions/:id': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/executions/${fx.a.executionId}` }) },
  'POST /api/v1/executions/:id/cancel': { kind: 'byId', call: (fx) => ({ method: 'POST', url: `/api/v1/executions/${fx.a.executionId}/cancel` }) },
  'POST /api/v1/executions/:id/retry': { kind: 'byId', call: (fx) => ({ method: 'POST', url: `/api/v1/executions/${fx.a.executionId}/retry` }) },
  // Workflow requests and support tickets.
  'GET /api/v1/requests': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/requests' }) },
  'POST /api/v1/requests': { kind: 'caller', call: () => ({ method: 'POST', url: '/api/v1/requests', payload: { title: 'Request of B', frequency: 'once' } }) },
  'GET /api/v1/requests/:id': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/requests/${fx.a.requestId}` }) },
  'PATCH /api/v1/requests/:id': { kind: 'byId', call: (fx) => ({ method: 'PATCH', url: `/api/v1/requests/${fx.a.requestId}`, payload: { title: 'Hijacked' } }) },
  'POST /api/v1/requests/:id/withdraw': { kind: 'byId', call: (fx) => ({ method: 'POST', url: `/api/v1/requests/${fx.a.requestId}/withdraw`, payload: {} }) },
  'GET /api/v1/admin/requests': { kind: 'platform', call: () => ({ method: 'GET', url: '/api/v1/admin/requests' }) },
  'GET /api/v1/admin/requests/:id': { kind: 'platform', call: (fx) => ({ method: 'GET', url: `/api/v1/admin/requests/${fx.a.requestId}` }) },
  'POST /api/v1/admin/requests/:id/transition': { kind: 'platform', call: (fx) => ({ method: 'POST', url: `/api/v1/admin/requests/${fx.a.requestId}/transition`, payload: { to: 'reviewing' } }) },
  'PUT /api/v1/admin/requests/:id/estimate': { kind: 'platform', call: (fx) => ({ method: 'PUT', url: `/api/v1/admin/requests/${fx.a.requestId}/estimate`, payload: { amountMinor: 100, currency: 'EUR' } }) },
  'POST /api/v1/admin/requests/:id/notes': { kind: 'platform', call: (fx) => ({ method: 'POST', url: `/api/v1/admin/requests/${fx.a.requestId}/notes`, payload: { note: 'x', isInternal: false } }) },
  'GET /api/v1/tickets': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/tickets' }) },
  'POST /api/v1/tickets': { kind: 'caller', call: () => ({ method: 'POST', url: '/api/v1/tickets', payload: { subject: 'Ticket of B', description: 'b' } }) },
  'GET /api/v1/tickets/:id': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/tickets/${fx.a.ticketId}` }) },
  'POST /api/v1/tickets/:id/comments': { kind: 'byId', call: (fx) => ({ method: 'POST', url: `/api/v1/tickets/${fx.a.ticketId}/comments`, payload: { body: 'x' } }) },
  'POST /api/v1/tickets/:id/close': { kind: 'byId', call: (fx) => ({ method: 'POST', url: `/api/v1/tickets/${fx.a.ticketId}/close` }) },
  'GET /api/v1/admin/tickets': { kind: 'platform', call: () => ({ method: 'GET', url: '/api/v1/admin/tickets' }) },
  'GET /api/v1/admin/tickets/assignees': { kind: 'platform', call: () => ({ method: 'GET', url: '/api/v1/admin/tickets/assignees' }) },
  'GET /api/v1/admin/tickets/:id': { kind: 'platform', call: (fx) => ({ method: 'GET', url: `/api/v1/admin/tickets/${fx.a.ticketId}` }) },
  'PATCH /api/v1/admin/tickets/:id': { kind: 'platform', call: (fx) => ({ method: 'PATCH', url: `/api/v1/admin/tickets/${fx.a.ticketId}`, payload: { status: 'closed' } }) },
  'POST /api/v1/admin/tickets/:id/comments': { kind: 'platform', call: (fx) => ({ method: 'POST', url: `/api/v1/admin/tickets/${fx.a.ticketId}/comments`, payload: { body: 'x', isInternal: true } }) },
  // API logs (B's own, up to when A's fixtures were made: later, B's failed calls carry A's ids it sent itself).
  'GET /api/v1/api-logs': { kind: 'list', call: (fx) => ({ method: 'GET', url: `/api/v1/api-logs?to=${encodeURIComponent(fx.createdAt)}` }) },
  // Webhooks in and out.
  'POST /api/v1/hooks/:endpointId': { kind: 'public', reason: 'authenticated by the endpoint\'s own signature (A\'s secret): credentials of B change nothing; checked below' },
  'GET /api/v1/webhook-endpoints': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/webhook-endpoints' }) },
  'POST /api/v1/webhook-endpoints': { kind: 'caller', call: (fx) => ({ method: 'POST', url: '/api/v1/webhook-endpoints', payload: { name: 'Endpoint of B', workflowId: fx.a.workflowId } }) },
  'GET /api/v1/webhook-endpoints/:id': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/webhook-endpoints/${fx.a.endpointId}` }) },
  'PATCH /api/v1/webhook-endpoints/:id': { kind: 'byId', call: (fx) => ({ method: 'PATCH', url: `/api/v1/webhook-endpoints/${fx.a.endpointId}`, payload: { name: 'Hijacked' } }) },
  'DELETE /api/v1/webhook-endpoints/:id': { kind: 'byId', call: (fx) => ({ method: 'DELETE', url: `/api/v1/webhook-endpoints/${fx.a.endpointId}` }) },
  'POST /api/v1/webhook-endpoints/:id/rotate-secret': { kind: 'byId', call: (fx) => ({ method: 'POST', url: `/api/v1/webhook-endpoints/${fx.a.endpointId}/rotate-secret`, payload: {} }) },
  'GET /api/v1/webhook-endpoints/:id/deliveries': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/webhook-endpoints/${fx.a.endpointId}/deliveries` }) },
  'GET /api/v1/webhook-endpoints/:id/deliveries/:deliveryId': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/webhook-endpoints/${fx.a.endpointId}/deliveries/${fx.a.inboundDeliveryId}` }) },
  'POST /api/v1/webhook-endpoints/:id/replay': { kind: 'byId', call: (fx) => ({ method: 'POST', url: `/api/v1/webhook-endpoints/${fx.a.endpointId}/replay`, payload: { since: '2020-01-01T00:00:00Z' } }) },
  'GET /api/v1/event-types': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/event-types' }) },
  'GET /api/v1/event-subscriptions': { kind: 'list', call: () => ({ method: 'GET', url: '/api/v1/event-subscriptions' }) },
  'POST /api/v1/event-subscriptions': { kind: 'caller', call: () => ({ method: 'POST', url: '/api/v1/event-subscriptions', payload: { url: 'https://receiver-of-b.example/h', eventTypes: ['execution.failed'] } }) },
  'GET /api/v1/event-subscriptions/:id': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/event-subscriptions/${fx.a.subscriptionId}` }) },
  'PATCH /api/v1/event-subscriptions/:id': { kind: 'byId', call: (fx) => ({ method: 'PATCH', url: `/api/v1/event-subscriptions/${fx.a.subscriptionId}`, payload: { description: 'Hijacked' } }) },
  'DELETE /api/v1/event-subscriptions/:id': { kind: 'byId', call: (fx) => ({ method: 'DELETE', url: `/api/v1/event-subscriptions/${fx.a.subscriptionId}` }) },
  'POST /api/v1/event-subscriptions/:id/rotate-secret': { kind: 'byId', call: (fx) => ({ method: 'POST', url: `/api/v1/event-subscriptions/${fx.a.subscriptionId}/rotate-secret`, payload: {} }) },
  'POST /api/v1/event-subscriptions/:id/test': { kind: 'byId', call: (fx) => ({ method: 'POST', url: `/api/v1/event-subscriptions/${fx.a.subscriptionId}/test`, payload: {} }) },
  'GET /api/v1/event-subscriptions/:id/deliveries': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/event-subscriptions/${fx.a.subscriptionId}/deliveries` }) },
  'GET /api/v1/webhook-deliveries/:id': { kind: 'byId', call: (fx) => ({ method: 'GET', url: `/api/v1/webhook-deliveries/${fx.a.outboundDeliveryId}` }) },
  'POST /api/v1/webhook-deliveries/:id/redeliver': { kind: 'byId', call: (fx) => ({ method: 'POST', url: `/api/v1/webhook-deliveries/${fx.a.outboundDeliveryId}/redeliver` }) },
  // Platform dashboards and the job engine.
  'GET /api/v1/admin/dashboard': { kind: 'platform', call: () => ({ method: 'GET', url: '/api/v1/admin/dashboard' }) },
  'GET /api/v1/admin/workflows/stats': { kind: 'platform', call: () => ({ method: 'GET', url: '/api/v1/admin/workflows/stats' }) },
  'GET /api/v1/admin/errors': { kind: 'platform', call: () => ({ method: 'GET', url: '/api/v1/admin/errors' }) },
  'GET /api/v1/admin/jobs/stats': { kind: 'platform', call: () => ({ method: 'GET', url: '/api/v1/admin/jobs/stats' }) },
  'GET /api/v1/admin/jobs': { kind: 'platform', call: (fx) => ({ method: 'GET', url: `/api/v1/admin/jobs?workspaceId=${fx.a.workspaceId}` }) },
  'POST /api/v1/admin/jobs/:id/retry': { kind: 'platform', call: (fx) => ({ method: 'POST', url: `/api/v1/admin/jobs/${fx.a.jobId}/retry` }) },
  'POST /api/v1/admin/jobs/:id/cancel': { kind: 'platform', call: (fx) => ({ method: 'POST', url: `/api/v1/admin/jobs/${fx.a.jobId}/cancel` }) },
};

/** Everything of A that a request from B could change, read through the platform path. */
async function snapshotOfA(platform: TestPlatform, fx: Fixtures): Promise<unknown> {
  return platform.db.withPlatform(async (tx) => {
    const ws = [fx.a.workspaceId, fx.a.childWorkspaceId];
    const q = async (sql: string, params: unknown[]) => (await tx.query(sql, params)).rows;
    return {
      workspaces: await q('select id, slug, name, plan, status, parent_id, deleted_at from workspaces where id = any($1) order by id', [ws]),
      settings: await q('select * from workspace_settings where workspace_id = any($1) order by workspace_id, key', [ws]),
      memberships: await q('select workspace_id, user_id, role from memberships where workspace_id = any($1) order by workspace_id, user_id', [ws]),
      apiKeys: await q('select id, name, role, revoked_at, expires_at from api_keys where workspace_id = any($1) order by id', [ws]),
      invitations: await q('select id, email, role, accepted_at, revoked_at from invitations where workspace_id = any($1) order by id', [ws]),
      mail: await q('select id, to_address, subject, status from outbox_messages where workspace_id = any($1) order by id', [ws]),
      sessions: await q('select id, workspace_id, revoked_at from sessions where user_id = $1 order by id', [fx.a.ownerId]),
      users: await q('select id, email, name, password_hash, totp_secret, totp_enabled_at from users where id = any($1) order by id', [[fx.a.ownerId, fx.a.memberId]]),
      secrets: await q('select id, name, description, ciphertext, updated_at from secrets where workspace_id = any($1) order by id', [ws]),
      // Nothing B does may append to (or alter) A's audit chain.
      roles: await q('select * from roles where workspace_id = any($1) order by id', [ws]),
      rolePermissions: await q('select * from role_permissions where workspace_id = any($1) order by 1, 2, 3', [ws]),
      membershipRoles: await q('select * from membership_roles where workspace_id = any($1) order by 1, 2, 3', [ws]),
      apiKeyRoles: await q('select * from api_key_roles where workspace_id = any($1) order by 1, 2, 3', [ws]),
      impersonations: await q('select * from impersonations where workspace_id = any($1) order by id', [ws]),
      impersonationRequests: await q('select * from impersonation_requests where workspace_id = any($1) order by id', [ws]),
      audit: await q('select id, action from audit_events where workspace_id = any($1) order by workspace_id, id', [ws]),
      workflows: await q('select * from workflows where workspace_id = any($1) order by id', [ws]),
      workflowVersions: await q('select * from workflow_versions where workspace_id = any($1) order by id', [ws]),
      executions: await q('select * from workflow_executions where workspace_id = any($1) order by id', [ws]),
      stepRuns: await q('select * from workflow_step_runs where workspace_id = any($1) order by 1, 2', [ws]),
      builds: await q('select * from workflow_builds where workspace_id = any($1) order by id', [ws]),
      requests: await q('select * from workflow_requests where workspace_id = any($1) order by id', [ws]),
      requestEvents: await q('select * from workflow_request_events where workspace_id = any($1) order by 1, 2', [ws]),
      tickets: await q('select * from support_tickets where workspace_id = any($1) order by id', [ws]),
      ticketComments: await q('select * from support_ticket_comments where workspace_id = any($1) order by 1, 2', [ws]),
      jobs: await q('select id, queue, status, attempts, run_at, cancel_requested from jobs where workspace_id = any($1) order by id', [ws]),
      schedules: await q('select name, cron, next_run_at, is_enabled from job_schedules where workspace_id = any($1) order by name', [ws]),
      webhookEndpoints: await q('select * from webhook_endpoints where workspace_id = any($1) order by id', [ws]),
      inboundDeliveries: await q('select * from webhook_inbound_deliveries where workspace_id = any($1) order by id', [ws]),
      inboundReplays: await q('select * from webhook_inbound_replays where workspace_id = any($1) order by 1, 2', [ws]),
      subscriptions: await q('select * from event_subscriptions where workspace_id = any($1) order by id', [ws]),
      outboundDeliveries: await q('select * from webhook_outbound_deliveries where workspace_id = any($1) order by id', [ws]),
      outboundAttempts: await q('select * from webhook_outbound_attempts where workspace_id = any($1) order by 1, 2', [ws]),
      llmProviders: await q('select * from llm_providers where workspace_id = any($1) order by id', [ws]),
      llmAliases: await q('select * from llm_aliases where workspace_id = any($1) order by name', [ws]),
      llmPrices: await q('select * from llm_workspace_prices where workspace_id = any($1) order by id', [ws]),
      usageQuotas: await q('select * from usage_quotas where workspace_id = any($1) order by 1, 2, 3', [ws]),
      usageEvents: await q('select * from usage_events where workspace_id = any($1) order by id', [ws]),
      dataSchemas: await q('select * from data_schemas where workspace_id = any($1) order by workspace_id', [ws]),
      dataMigrations: await q('select * from data_migrations where workspace_id = any($1) order by 1, 2', [ws]),
    };
  });
}

describe('tenant guard: workspace B against workspace A', () => {
  let platform: TestPlatform;
  let fx: Fixtures;
  let before0: unknown;

  before(async () => {
    platform = await startTestPlatform();
    fx = await createFixtures(platform);
    before0 = await snapshotOfA(platform, fx);
  });

  after(async () => {
    await platform?.stop();
  });

  async function send(call: Call, credential: Credential | 'none') {
    const headers: Record<string, string> = {};
    if (credential === 'session') headers.authorization = `Bearer ${fx.b.token}`;
    if (credential === 'apiKey') headers.authorization = `Bearer ${fx.b.apiKey}`;
    return platform.app.inject({ method: call.method as 'GET', url: call.url, headers, ...(call.payload ? { payload: call.payload } : {}) });
  }

  /** What B itself sent (a URL or body naming A's id) may be echoed back; nothing else of A. */
  function withoutEcho(body: string, call: Call): string {
    // The problem's `instance` is the path B asked for, without its query string.
    let out = body.replaceAll(call.url, '').replaceAll(call.url.split('?')[0], '');
    for (const value of Object.values(call.payload ?? {})) if (typeof value === 'string') out = out.replaceAll(value, '');
    return out;
  }

  function assertNoSecretOfA(body: string, label: string) {
    for (const secret of fx.secretsOfA) {
      assert.equal(body.includes(secret), false, `${label}: the response contains A's "${secret}"`);
    }
  }

  test('every route has joined the suite', () => {
    const routes = platform.routeTable.filter((r) => r.url.startsWith('/api/') || r.url.startsWith('/v1/')).map((r) => `${r.method} ${r.url}`);
    const missing = routes.filter((r) => !(r in CASES));
    assert.deepEqual(missing, [], `routes without a tenant-guard case (add them to CASES): ${missing.join(', ')}`);
    const stale = Object.keys(CASES).filter((k) => !routes.includes(k));
    assert.deepEqual(stale, [], `cases for routes that no longer exist: ${stale.join(', ')}`);
  });

  test('by id: A\'s rows answer 404 to B, with a session and with an API key', async () => {
    for (const [route, c] of Object.entries(CASES)) {
      if (c.kind !== 'byId') continue;
      const call = c.call(fx);
      const viaSession = await send(call, 'session');
      assert.equal(viaSession.statusCode, 404, `${route} with B's session: ${viaSession.statusCode} ${viaSession.body}`);
      assertNoSecretOfA(withoutEcho(viaSession.body, call), `${route} (session)`);
      const viaKey = await send(call, 'apiKey');
      const isSessionOnly = viaKey.statusCode === 403 && /session/i.test(viaKey.json().detail ?? '');
      assert.ok(viaKey.statusCode === 404 || isSessionOnly, `${route} with B's API key: ${viaKey.statusCode} ${viaKey.body}`);
      assertNoSecretOfA(withoutEcho(viaKey.body, call), `${route} (API key)`);
    }
  });

  test('listings: B sees only B', async () => {
    for (const [route, c] of Object.entries(CASES)) {
      if (c.kind !== 'list') continue;
      for (const credential of ['session', 'apiKey'] as const) {
        const res = await send(c.call(fx), credential);
        if (credential === 'apiKey' && res.statusCode === 403) continue; // session-only route
        assert.ok(res.statusCode >= 200 && res.statusCode < 300, `${route} (${credential}): ${res.statusCode} ${res.body}`);
        assertNoSecretOfA(res.body, `${route} (${credential})`);
      }
    }
    // And B's own rows are there: the listings are not trivially empty.
    const keys = await send({ method: 'GET', url: '/api/v1/api-keys' }, 'session');
    assert.match(keys.body, /key of guard-b/);
  });

  test('platform routes refuse B', async () => {
    for (const [route, c] of Object.entries(CASES)) {
      if (c.kind !== 'platform') continue;
      for (const credential of ['session', 'apiKey'] as const) {
        const res = await send(c.call(fx), credential);
        assert.equal(res.statusCode, 403, `${route} (${credential}): ${res.statusCode}`);
        assertNoSecretOfA(withoutEcho(res.body, c.call(fx)), `${route} (${credential})`);
      }
    }
  });

  test('caller-scoped routes act on B only, whatever the body names', async () => {
    const entries = Object.entries(CASES).sort(([, x], [, y]) => Number(x.kind === 'caller' && x.isDestructive) - Number(y.kind === 'caller' && y.isDestructive));
    for (const [route, c] of entries) {
      if (c.kind !== 'caller') continue;
      const res = await send(c.call(fx), c.isDestructive ? 'session' : 'apiKey');
      assert.ok(res.statusCode < 500, `${route}: ${res.statusCode} ${res.body}`);
      assertNoSecretOfA(withoutEcho(res.body, c.call(fx)), route);
      if (!c.isDestructive) {
        const viaSession = await send(c.call(fx), 'session');
        assert.ok(viaSession.statusCode < 500, `${route}: ${viaSession.statusCode} ${viaSession.body}`);
        assertNoSecretOfA(withoutEcho(viaSession.body, c.call(fx)), route);
      }
    }
  });

  test('A is unchanged by everything B tried', async () => {
    assert.deepEqual(await snapshotOfA(platform, fx), before0);
  });

  test('A\'s inbound webhook takes only A\'s signature, whatever credentials come with it', async () => {
    const body = JSON.stringify({ event: 'from B' });
    const forged = signedHeaders('whsec_' + Buffer.from('not-the-secret-of-a-0123456789ab').toString('base64'), body);
    for (const credential of ['session', 'apiKey', 'none'] as const) {
      const headers: Record<string, string> = { ...forged };
      if (credential === 'session') headers.authorization = `Bearer ${fx.b.token}`;
      if (credential === 'apiKey') headers.authorization = `Bearer ${fx.b.apiKey}`;
      const res = await platform.app.inject({ method: 'POST', url: `/api/v1/hooks/${fx.a.endpointId}`, headers, payload: body });
      assert.equal(res.statusCode, 401, `${credential}: ${res.statusCode} ${res.body}`);
      assertNoSecretOfA(withoutEcho(res.body, { method: 'POST', url: `/api/v1/hooks/${fx.a.endpointId}` }), `hook (${credential})`);
    }
  });

  test('A still works after all of it', async () => {
    const res = await platform.app.inject({ method: 'GET', url: '/api/v1/members', headers: { authorization: `Bearer ${fx.a.token}` } });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /member-of-a@example\.com/);
  });
});
