// Errors on the vendor-compatible surfaces carry the vendor's error object beside the problem
// members, so the official clients raise their usual error classes (OpenAI: `error.{message,
// type, code}`; Anthropic: `type: "error"`, `error.{type, message}`) and Atrium's own tools
// still read a problem with its stable `code`.
import type { FastifyInstance } from 'fastify';

export type Surface = 'openai' | 'anthropic';

function openAiType(status: number, code: string): string {
  if (code === 'QUOTA_EXCEEDED') return 'insufficient_quota';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

function anthropicType(status: number): string {
  switch (status) {
    case 401: return 'authentication_error';
    case 403: return 'permission_error';
    case 404: return 'not_found_error';
    case 413: return 'request_too_large';
    case 429: return 'rate_limit_error';
    case 529: return 'overloaded_error';
    default: return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

export function vendorError(surface: Surface, problem: { status: number; code: string; title: string; detail?: string }): Record<string, unknown> {
  const message = problem.detail ?? problem.title;
  if (surface === 'openai') return { error: { message, type: openAiType(problem.status, problem.code), param: null, code: problem.code.toLowerCase() } };
  return { type: 'error', error: { type: anthropicType(problem.status), message } };
}

/** For the routes of this plugin: add the vendor's error object to every problem answer. */
export function registerVendorErrors(app: FastifyInstance, surface: Surface): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    if (typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').startsWith('application/problem+json')) return payload;
    try {
      const problem = JSON.parse(payload) as { status: number; code: string; title: string; detail?: string };
      return JSON.stringify({ ...problem, ...vendorError(surface, problem) });
    } catch {
      return payload;
    }
  });
}
