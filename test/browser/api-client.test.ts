// The console's API client (console/src/api/client.ts) against the real server, in Node with the
// few browser globals it touches: an expired access token is refreshed and the request retried;
// concurrent requests share one refresh (a second refresh with the same single-use token would
// be taken for a stolen token and revoke the session); a dead session ends cleanly; problem+json
// becomes an ApiError with field errors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';

type Pair = { accessToken: string; refreshToken: string };
type ApiErrorShape = Error & { code: string; status: number; errors: Array<{ path: string; message: string }> };
type ClientModule = {
  api: {
    get<T>(path: string): Promise<T>;
    post<T>(path: string, body?: unknown, options?: { auth?: boolean }): Promise<T>;
  };
  setTokens(pair: Pair): void;
  clearTokens(): void;
  hasSession(): boolean;
  onSessionEnded(listener: () => void): () => void;
  fieldError(error: unknown, field: string): string | undefined;
  ApiError: abstract new (...args: never[]) => ApiErrorShape;
};

const REFRESH_KEY = 'atrium.refreshToken';
// Signed with another key: the server answers 401 TOKEN_INVALID, as for an expired token.
const BAD_ACCESS_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, String(value));
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

describe('console API client', () => {
  let platform: TestPlatform;
  let client: ClientModule;
  const storage = new MemoryStorage();
  const realFetch = globalThis.fetch;
  let refreshCalls = 0;

  before(async () => {
    platform = await startTestPlatform({}, { listen: true });
    const baseUrl = platform.baseUrl!;
    // The browser globals the client uses; its relative URLs go to the test server.
    Object.assign(globalThis, { window: { addEventListener: () => {} }, localStorage: storage });
    globalThis.fetch = (input, init) => {
      const url = new URL(String(input), baseUrl);
      if (url.pathname === '/api/v1/auth/refresh') refreshCalls++;
      return realFetch(url, init);
    };
    // A runtime path, so the root type-check (no DOM types) does not pull the browser code in.
    const modulePath = '../../console/src/api/client.ts';
    client = (await import(modulePath)) as ClientModule;
  });

  after(async () => {
    globalThis.fetch = realFetch;
    await platform?.stop();
  });

  async function signUp(email: string): Promise<Pair> {
    return client.api.post<Pair>('/onboard/signup', { email, password: 'a long test passphrase', name: 'Tess', companyName: `Co ${email}` }, { auth: false });
  }

  test('an expired access token is refreshed once for concurrent requests, which are all retried', async () => {
    const pair = await signUp('tess@client.test');
    client.setTokens({ accessToken: BAD_ACCESS_TOKEN, refreshToken: pair.refreshToken });
    refreshCalls = 0;
    const results = await Promise.all([1, 2, 3].map(() => client.api.get<{ user: { email: string } }>('/auth/me')));
    assert.deepEqual(results.map((r) => r.user.email), ['tess@client.test', 'tess@client.test', 'tess@client.test']);
    assert.equal(refreshCalls, 1);
    const rotated = storage.getItem(REFRESH_KEY);
    assert.ok(rotated && rotated !== pair.refreshToken, 'the refresh token was rotated and stored');
    // The session is intact: a reused token would have revoked it.
    const sessions = await client.api.get<Array<{ current: boolean; revokedAt: string | null }>>('/auth/sessions');
    assert.equal(sessions.find((s) => s.current)?.revokedAt, null);
  });

  test('after a reload (refresh token only) the first request refreshes first', async () => {
    const stored = storage.getItem(REFRESH_KEY)!;
    client.clearTokens(); // forgets the in-memory access token, like a reload…
    storage.setItem(REFRESH_KEY, stored); // …which keeps the stored refresh token
    refreshCalls = 0;
    const me = await client.api.get<{ user: { email: string } }>('/auth/me');
    assert.equal(me.user.email, 'tess@client.test');
    assert.equal(refreshCalls, 1);
  });

  test('a session that cannot be refreshed ends: listeners are told and the tokens forgotten', async () => {
    let ended = 0;
    const stop = client.onSessionEnded(() => ended++);
    client.setTokens({ accessToken: BAD_ACCESS_TOKEN, refreshToken: 'rt_not-a-real-refresh-token' });
    await assert.rejects(client.api.get('/auth/me'), (error: ApiErrorShape) => error instanceof client.ApiError && error.status === 401 && error.code === 'TOKEN_INVALID');
    stop();
    assert.equal(ended, 1);
    assert.equal(client.hasSession(), false);
    assert.equal(storage.getItem(REFRESH_KEY), null);
  });

  test('problem+json becomes an ApiError with its code and field errors', async () => {
    const error = await client.api.post('/onboard/signup', { email: 'not-an-email', password: 'x', name: 'N', companyName: 'C' }, { auth: false })
      .then(() => null, (e: unknown) => e);
    assert.ok(error instanceof client.ApiError);
    assert.equal(error.code, 'VALIDATION_FAILED');
    assert.match(client.fieldError(error, 'email') ?? '', /email/);
    assert.equal(client.fieldError(error, 'name'), undefined);
  });
});
