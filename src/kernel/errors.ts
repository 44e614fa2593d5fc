// One error type with a stable code. Modules keep a catalogue of their codes; the HTTP layer
// maps AppError to RFC 9457 problem+json in one handler.
export type ErrorSpec = { status: number; title: string };

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly extra: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: string, spec: ErrorSpec, detail?: string, options: { extra?: Record<string, unknown>; headers?: Record<string, string> } = {}) {
    super(detail ?? spec.title);
    this.name = 'AppError';
    this.code = code;
    this.status = spec.status;
    this.title = spec.title;
    this.detail = detail;
    this.extra = options.extra;
    this.headers = options.headers;
  }
}

const catalogues: Array<Record<string, ErrorSpec>> = [];

/** Every catalogue defined so far (the test that keeps one meaning per code reads it). */
export function definedErrorCatalogues(): ReadonlyArray<Readonly<Record<string, ErrorSpec>>> {
  return catalogues;
}

/** Build a typed catalogue: `const errors = defineErrors({ AGENT_NOT_FOUND: {...} })`. */
export function defineErrors<const T extends Record<string, ErrorSpec>>(specs: T) {
  type Code = keyof T & string;
  catalogues.push(specs);
  return {
    specs,
    create(code: Code, detail?: string, options?: { extra?: Record<string, unknown>; headers?: Record<string, string> }): AppError {
      return new AppError(code, specs[code], detail, options);
    },
  };
}

export const kernelErrors = defineErrors({
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  BAD_REQUEST: { status: 400, title: 'Bad request' },
  INVALID_TEXT: { status: 400, title: 'The request holds text that is not valid' },
  JSON_TOO_DEEP: { status: 400, title: 'The JSON body is nested too deeply' },
  URI_TOO_LONG: { status: 414, title: 'The request URI is too long' },
  HEADERS_TOO_LARGE: { status: 431, title: 'The request headers are too large' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request took too long to arrive' },
  MALFORMED_JSON: { status: 400, title: 'The request body is not valid JSON' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication is required' },
  TOKEN_INVALID: { status: 401, title: 'The access token is invalid or expired' },
  FORBIDDEN: { status: 403, title: 'You do not have permission to do this' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  CONFLICT: { status: 409, title: 'Conflict' },
  IDEMPOTENCY_KEY_IN_PROGRESS: { status: 409, title: 'A request with this Idempotency-Key is still running' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'This Idempotency-Key was used with another request' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  WORKSPACE_SUSPENDED: { status: 403, title: 'This workspace is suspended' },
  IMPERSONATION_FORBIDDEN: { status: 403, title: 'Not allowed while impersonating' },
  INTERNAL: { status: 500, title: 'Internal server error' },
  UNAVAILABLE: { status: 503, title: 'Service unavailable' },
});
