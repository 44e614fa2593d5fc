// Test fixtures: a workspace with one user per role (each with a session token) and an admin
// API key, and a small API client over app.inject.
import type { LightMyRequestResponse } from 'fastify';
import type { Platform } from '../../main.ts';
import type { Role } from '../access/index.ts';
import { generateApiKey } from '../identity/tokens.ts';

export type Tenant = { workspaceId: string; slug: string; tokens: Record<Role, string>; userIds: Record<Role, string>; apiKey: string };

export async function createTenant(platform: Platform, slug: string): Promise<Tenant> {
  const roles: Role[] = ['owner', 'admin', 'member', 'viewer'];
  const key = generateApiKey();
  const created = await platform.db.withPlatform(async (tx) => {
    const w = await tx.query<{ id: string }>(`insert into workspaces (slug, name) values ($1, $2) returning id`, [slug, `Workspace ${slug}`]);
    const userIds = {} as Record<Role, string>;
    for (const role of roles) {
      const u = await tx.query<{ id: string }>(`insert into users (email, name) values ($1, $2) returning id`, [`${role}-${slug}@example.com`, `${role} of ${slug}`]);
      await tx.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, $3)`, [w.rows[0].id, u.rows[0].id, role]);
      userIds[role] = u.rows[0].id;
    }
    await tx.query(`insert into api_keys (workspace_id, name, prefix, key_hash, role, created_by) values ($1, 'ci', $2, $3, 'member', $4)`,
      [w.rows[0].id, key.prefix, key.hash, userIds.owner]);
    return { workspaceId: w.rows[0].id, userIds };
  });
  const tokens = {} as Record<Role, string>;
  for (const role of roles) {
    const pair = await platform.db.withWorkspace(created.workspaceId, (tx) =>
      platform.identity.sessions.openSession(tx, { userId: created.userIds[role], workspaceId: created.workspaceId, role, isPlatformAdmin: false }));
    tokens[role] = pair.accessToken;
  }
  return { ...created, slug, tokens, apiKey: key.key };
}

export type Call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers?: Record<string, string>) => Promise<LightMyRequestResponse>;

/** Calls as `token` (a session token or an API key). */
export function clientOf(platform: Platform, token: string): Call {
  return (method, url, payload, headers = {}) => platform.app.inject({
    method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}`, ...headers },
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });
}

/** Polls GET /executions/:id until `isDone` (no timing asserted: the test runner's timeout bounds it). */
export async function waitForExecution(call: Call, id: string, isDone: (e: { status: string }) => boolean = (e) => !['pending', 'processing'].includes(e.status)): Promise<ExecutionBody> {
  for (;;) {
    const res = await call('GET', `/executions/${id}`);
    if (res.statusCode !== 200) throw new Error(`GET /executions/${id}: ${res.statusCode} ${res.body}`);
    const body = res.json();
    if (isDone(body)) return body as ExecutionBody;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export type ExecutionBody = {
  id: string; status: string; output: unknown; error: { message: string; code: string; stepId?: string | null; stack?: string } | null;
  progress: { stepsDone: number; stepsTotal: number; currentStep: string | null; percent: number };
  steps: Array<{ stepId: string; stepType: string; attempt: number; status: string; output: unknown; error: { message: string; code: string } | null; outputTruncated: boolean }>;
  cost: string | null; revenue: string | null; durationMs: number | null;
};
