// Test fixtures: a workspace with one user per role (each with a session token) and an admin
// API key, and a small API client over app.inject.
import type { LightMyRequestResponse } from 'fastify';
import type { Platform } from '../../main.ts';
import { createTenant as createSharedTenant } from '../../../test/helpers/tenants.ts';
import type { Tenant } from '../../../test/helpers/tenants.ts';

export type { Tenant } from '../../../test/helpers/tenants.ts';

/** A workspace with one user per role, each with a session token, and a member's API key. */
export function createTenant(platform: Platform, slug: string): Promise<Tenant> {
  return createSharedTenant(platform, slug, { apiKeyRole: 'member' });
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
