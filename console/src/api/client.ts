// The console's one door to the API: adds the bearer token, refreshes it once on an expired
// access token and retries, and turns problem+json into an ApiError with the server's code.
//
// Token storage, and its trade-off: the access token (15 minutes) lives only in memory, so a
// script injected into the page cannot lift it from storage. The refresh token sits in
// localStorage so a reload or a new tab stays logged in; that makes it readable by an XSS, which
// we accept because the console renders no untrusted HTML outside a sandboxed iframe, refresh
// tokens rotate on every use (a stolen one that is used twice revokes the whole session) and every
// session can be revoked from the Security page. An httpOnly cookie would remove that exposure at
// the cost of CSRF handling on the API; it is the upgrade path if the console ever embeds
// third-party code.
import type { Paged, TokenPair } from './types.ts';

const REFRESH_KEY = 'atrium.refreshToken';
/** The admin's own refresh token, kept aside while impersonating (cleared on logout). */
const STASHED_REFRESH_KEY = 'atrium.impersonator.refreshToken';
const BASE = '/api/v1';

export type FieldError = { path: string; message: string };

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: FieldError[];
  readonly requestId: string | undefined;

  constructor(problem: { status: number; code?: string; title?: string; detail?: string; errors?: FieldError[]; requestId?: string }) {
    super(problem.detail ?? problem.title ?? `Request failed (${problem.status})`);
    this.name = 'ApiError';
    this.status = problem.status;
    this.code = problem.code ?? `HTTP_${problem.status}`;
    this.title = problem.title ?? 'Request failed';
    this.detail = problem.detail;
    this.errors = problem.errors ?? [];
    this.requestId = problem.requestId;
  }
}

/**
 * The message for one form field, from problem+json `errors` (paths like `body.email`), or from
 * the whole problem when its code is about that field (`WEAK_PASSWORD` → the password field).
 */
export function fieldError(error: unknown, field: string, codes: string[] = []): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  if (codes.includes(error.code)) return error.detail ?? error.title;
  const hit = error.errors.find((e) => e.path === `body.${field}` || e.path === field || e.path.endsWith(`.${field}`));
  return hit?.message;
}

/** A short, human sentence for an error; validation errors shown next to fields are left out. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return error.title;
    if (error.code === 'VALIDATION_FAILED' && error.errors.length > 0) {
      // Shown only when no field of the form claimed the error.
      return error.errors.map((e) => `${e.path.replace(/^body\.?/, '') || 'Request'} ${e.message}`).join('; ');
    }
    return error.detail && error.detail !== error.title ? `${error.title}: ${error.detail}` : error.title;
  }
  if (error instanceof Error) return error.message;
  return 'Something went wrong';
}

// ---------------------------------------------------------------------------------------------
// Tokens

let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
const endedListeners = new Set<() => void>();

function storedRefreshToken(): string | null {
  try {
    return localStorage.getItem(REFRESH_KEY);
  } catch {
    return null;
  }
}

export function setTokens(pair: Pick<TokenPair, 'accessToken' | 'refreshToken'>): void {
  accessToken = pair.accessToken;
  localStorage.setItem(REFRESH_KEY, pair.refreshToken);
}

export function clearTokens(): void {
  accessToken = null;
  localStorage.removeItem(REFRESH_KEY);
  localStorage.removeItem(STASHED_REFRESH_KEY);
}

// Impersonation: the admin's own session is kept aside (its refresh token) while the console
// uses the impersonation's tokens, and restored when the impersonation stops or ends.
/** Switch to another session's tokens, keeping the current one aside. */
export function stashSessionAndUse(pair: Pick<TokenPair, 'accessToken' | 'refreshToken'>): void {
  const own = storedRefreshToken();
  if (own && localStorage.getItem(STASHED_REFRESH_KEY) === null) localStorage.setItem(STASHED_REFRESH_KEY, own);
  setTokens(pair);
}

/** Go back to the session kept aside; false when there is none. */
export function restoreStashedSession(): boolean {
  const own = localStorage.getItem(STASHED_REFRESH_KEY);
  if (own === null) return false;
  localStorage.removeItem(STASHED_REFRESH_KEY);
  accessToken = null; // the next request refreshes with the admin's own token
  localStorage.setItem(REFRESH_KEY, own);
  return true;
}

/** Whether this browser holds a session (it may still turn out to be expired or revoked). */
export function hasSession(): boolean {
  return accessToken !== null || storedRefreshToken() !== null;
}

/** Called when the session can no longer be refreshed (revoked, expired, logged out elsewhere). */
export function onSessionEnded(listener: () => void): () => void {
  endedListeners.add(listener);
  return () => endedListeners.delete(listener);
}

function endSession(): void {
  // An impersonation that ended by itself (its hour is up): back to the admin's own session.
  if (restoreStashedSession()) {
    window.location.assign('/');
    return;
  }
  const hadSession = hasSession();
  clearTokens();
  if (hadSession) for (const listener of endedListeners) listener();
}

// Another tab logged out: follow it.
window.addEventListener('storage', (event) => {
  if (event.key === REFRESH_KEY && event.newValue === null && accessToken !== null) endSession();
});

/**
 * Exchange the refresh token for a new pair. Refresh tokens are single-use (a reused one revokes
 * the session), so concurrent requests share one refresh, and tabs take turns through a Web Lock,
 * re-reading the token inside it: the second tab uses the token the first one just stored.
 */
function refreshTokens(): Promise<boolean> {
  refreshing ??= withRefreshLock(async () => {
    const token = storedRefreshToken();
    if (!token) return false;
    let response: Response;
    try {
      response = await fetch(`${BASE}/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ refreshToken: token }),
      });
    } catch {
      return false; // offline: keep the session, the next request tries again
    }
    if (response.ok) {
      setTokens((await response.json()) as TokenPair);
      return true;
    }
    if (response.status === 401 || response.status === 403 || response.status === 400) endSession();
    return false;
  }).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

function withRefreshLock<T>(task: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? locks.request('atrium.refresh', task) : task();
}

// ---------------------------------------------------------------------------------------------
// Requests

export type RequestOptions = {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  /** false for public routes (login, signup, invitation lookup): no token, no refresh. */
  auth?: boolean;
  signal?: AbortSignal;
};

function buildUrl(path: string, query: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return `${BASE}${path}${qs ? `?${qs}` : ''}`;
}

async function toApiError(response: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    // not JSON (a proxy's error page): fall back to the status
  }
  return new ApiError({
    status: response.status,
    code: typeof body.code === 'string' ? body.code : undefined,
    title: typeof body.title === 'string' ? body.title : response.statusText || undefined,
    detail: typeof body.detail === 'string' ? body.detail : undefined,
    errors: Array.isArray(body.errors) ? (body.errors as FieldError[]) : undefined,
    requestId: typeof body.requestId === 'string' ? body.requestId : undefined,
  });
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const useAuth = options.auth !== false;
  if (useAuth && accessToken === null && storedRefreshToken() !== null) await refreshTokens();

  const send = (token: string | null) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (useAuth && token) headers.authorization = `Bearer ${token}`;
    return fetch(buildUrl(path, options.query), {
      method: options.method ?? 'GET',
      headers,
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      signal: options.signal,
    });
  };

  let sentWith = accessToken;
  let response: Response;
  try {
    response = await send(sentWith);
    if (response.status === 401 && useAuth && sentWith !== null) {
      const error = await toApiError(response.clone());
      if (error.code === 'TOKEN_INVALID') {
        // Another request may already have refreshed while this one was in flight.
        const isFresh = accessToken !== null && accessToken !== sentWith;
        if (isFresh || (await refreshTokens())) {
          sentWith = accessToken;
          response = await send(sentWith);
        }
      }
    }
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError({ status: 0, code: 'NETWORK_ERROR', title: 'Cannot reach the Atrium server. Is it running?' });
  }

  if (!response.ok) {
    const error = await toApiError(response);
    if (response.status === 401 && useAuth && error.code === 'TOKEN_INVALID') endSession();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * A file from the API (an export) as a Blob, with the same token handling as `request`; the
 * caller saves it. Errors are ApiErrors, as for JSON requests.
 */
export async function download(path: string, query?: RequestOptions['query']): Promise<Blob> {
  if (accessToken === null && storedRefreshToken() !== null) await refreshTokens();
  const send = () => fetch(buildUrl(path, query), { headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {} });
  let response = await send();
  if (response.status === 401 && (await toApiError(response.clone())).code === 'TOKEN_INVALID' && (await refreshTokens())) response = await send();
  if (!response.ok) throw await toApiError(response);
  return response.blob();
}

/**
 * A call outside /api/v1 (the vendor-compatible AI API at /v1), with the session's token and the
 * same refresh handling; the caller reads the Response (a stream for chat). Errors are ApiErrors.
 */
export async function fetchWithSession(url: string, init: { method: string; body?: unknown; signal?: AbortSignal }): Promise<Response> {
  if (accessToken === null && storedRefreshToken() !== null) await refreshTokens();
  const send = () => fetch(url, {
    method: init.method, signal: init.signal,
    headers: { ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  let response = await send();
  if (response.status === 401 && (await toApiError(response.clone())).code === 'TOKEN_INVALID' && (await refreshTokens())) response = await send();
  if (!response.ok) throw await toApiError(response);
  return response;
}

export const api = {
  get: <T>(path: string, query?: RequestOptions['query'], options: Omit<RequestOptions, 'method' | 'query' | 'body'> = {}) =>
    request<T>(path, { ...options, query }),
  post: <T>(path: string, body?: unknown, options: Omit<RequestOptions, 'method' | 'body'> = {}) =>
    request<T>(path, { ...options, method: 'POST', body }),
  patch: <T>(path: string, body: unknown) => request<T>(path, { method: 'PATCH', body }),
  put: <T>(path: string, body: unknown) => request<T>(path, { method: 'PUT', body }),
  delete: <T = void>(path: string) => request<T>(path, { method: 'DELETE' }),
};

/**
 * Every row of a cursor-paginated list, page after page (bounded): the console's tables show
 * whole lists, which stay small for members, invitations and keys of one workspace.
 */
export async function getAllPages<T>(path: string, signal?: AbortSignal, pageSize = 200, maxPages = 10): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const result = await api.get<Paged<T>>(path, { limit: pageSize, cursor }, { signal });
    rows.push(...result.data);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return rows;
}
