// What one API request leaves behind. Bodies exist only for errors (status >= 400) and are
// redacted before they are buffered: nothing unredacted ever leaves the request.
export type ApiLogActorType = 'user' | 'api_key';

/** A row waiting in the buffer (the store writes it as is). */
export type ApiLogEntry = {
  id: string;
  workspaceId: string | null;
  createdAt: Date;
  method: string;
  endpoint: string;
  status: number;
  durationMs: number;
  errorCode: string | null;
  requestId: string | null;
  actorType: ApiLogActorType | null;
  actorId: string | null;
  ip: string | null;
  requestBody: unknown;
  responseBody: unknown;
};

/** The API's shape of a log row (camelCase, ISO times). */
export type ApiLog = {
  id: string;
  createdAt: string;
  method: string;
  endpoint: string;
  status: number;
  durationMs: number;
  errorCode: string | null;
  requestId: string | null;
  actorType: ApiLogActorType | null;
  actorId: string | null;
  ip: string | null;
  requestBody: unknown;
  responseBody: unknown;
};

export type StatusClass = '2xx' | '3xx' | '4xx' | '5xx';

export type ApiLogFilters = {
  statusClass?: StatusClass;
  status?: number;
  method?: string;
  /** A route pattern, exact (`/api/v1/secrets/:name`) or a prefix ending in `*`. */
  endpoint?: string;
  from?: string;
  to?: string;
  hasError?: boolean;
};
