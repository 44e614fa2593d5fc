// The write path's buffer on the real database: batches, a full batch leaving at once, the
// bound while the database is unreachable (drop + count, never throw), recovery, shutdown.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import type { Database } from '../../kernel/db/database.ts';
import { uuidv7 } from '../../kernel/ids.ts';
import { createLogger } from '../../kernel/logging.ts';
import { createApiLogBuffer } from './api-log-buffer.ts';
import type { ApiLogEntry } from './api-logs.types.ts';

describe('api log buffer', () => {
  let platform: TestPlatform;
  let isDown = false;
  let failingDb: Database;
  const log = createLogger('silent');

  before(async () => {
    platform = await startTestPlatform();
    // The real database behind a switch that makes the platform path fail as an outage would.
    failingDb = { ...platform.db, withPlatform: (fn) => (isDown ? Promise.reject(new Error('connect ECONNREFUSED')) : platform.db.withPlatform(fn)) };
  });
  after(async () => {
    await platform.stop();
  });

  function entry(endpoint: string): ApiLogEntry {
    return {
      id: uuidv7(), workspaceId: null, createdAt: new Date(), method: 'GET', endpoint, status: 200, durationMs: 1.5, errorCode: null,
      requestId: null, actorType: null, actorId: null, ip: '127.0.0.1', requestBody: null, responseBody: null,
    };
  }

  async function count(endpoint: string): Promise<number> {
    return platform.db.withPlatform(async (tx) => (await tx.query<{ n: number }>('select count(*) as n from api_logs where endpoint = $1', [endpoint])).rows[0].n);
  }

  test('rows leave in batches; a full batch leaves without waiting for the timer', async () => {
    const buffer = createApiLogBuffer(platform.db, log, { batchSize: 500, flushIntervalMs: 60_000 });
    for (let i = 0; i < 499; i++) buffer.push(entry('/batch'));
    assert.equal(buffer.stats().buffered, 499, 'below a batch: waits for the timer');
    buffer.push(entry('/batch'));
    assert.equal(buffer.stats().buffered, 0, 'the 500th row sends the batch');
    for (let i = 0; i < 700; i++) buffer.push(entry('/batch'));
    await buffer.flush();
    assert.equal(await count('/batch'), 1200);
    assert.deepEqual(buffer.stats(), { buffered: 0, written: 1200, dropped: 0, failedWrites: 0, sanitised: 0, refused: 0 });
    await buffer.close();
  });

  test('database down: bounded, counted, never throws; written once it is back', async () => {
    const buffer = createApiLogBuffer(failingDb, log, { maxBuffered: 100, batchSize: 40, flushIntervalMs: 60_000 });
    isDown = true;
    for (let i = 0; i < 150; i++) buffer.push(entry('/outage'));
    await buffer.flush(); // fails inside; resolves
    const during = buffer.stats();
    assert.equal(during.buffered, 100);
    assert.equal(during.dropped, 50);
    assert.ok(during.failedWrites >= 1);
    assert.equal(await count('/outage'), 0);
    isDown = false;
    await buffer.flush();
    assert.equal(await count('/outage'), 100);
    assert.equal(buffer.stats().buffered, 0);
    assert.equal(buffer.stats().written, 100);
    await buffer.close();
  });

  test('close writes what is left, then refuses new rows', async () => {
    const buffer = createApiLogBuffer(platform.db, log, { flushIntervalMs: 60_000 });
    for (let i = 0; i < 3; i++) buffer.push(entry('/closing'));
    await buffer.close();
    assert.equal(await count('/closing'), 3);
    buffer.push(entry('/closing'));
    assert.equal(buffer.stats().dropped, 1);
    assert.equal(buffer.stats().buffered, 0);
  });

  test('close with the database down drops and counts what is left', async () => {
    const buffer = createApiLogBuffer(failingDb, log, { flushIntervalMs: 60_000 });
    isDown = true;
    for (let i = 0; i < 4; i++) buffer.push(entry('/lost'));
    await buffer.close();
    isDown = false;
    assert.equal(buffer.stats().dropped, 4);
    assert.equal(await count('/lost'), 0);
  });

  test('a poison row never wedges the writer: the rest of its batch and the next batches land', async () => {
    const buffer = createApiLogBuffer(platform.db, log, { batchSize: 50, flushIntervalMs: 60_000 });
    for (let i = 0; i < 20; i++) buffer.push(entry('/poison-batch'));
    // Text jsonb and text columns refuse: written sanitised, not lost (a 5xx is always recorded).
    buffer.push({ ...entry('/poison-batch\u0000'), status: 500, errorCode: 'INTERNAL', requestBody: { 'key\u0000': 'lone \ud800', list: ['\u0000'] } });
    for (let i = 0; i < 20; i++) buffer.push(entry('/poison-batch'));
    // A value no cleaning can fix (status beyond smallint): dropped and counted, alone.
    buffer.push({ ...entry('/poison-batch'), status: 70_000 });
    for (let i = 0; i < 8; i++) buffer.push(entry('/poison-batch'));
    await buffer.flush();
    assert.equal(await count('/poison-batch'), 48);
    const cleaned = await platform.db.withPlatform(async (tx) => (await tx.query<{ status: number; request_body: unknown }>(
      `select status, request_body from api_logs where endpoint = '/poison-batch\ufffd'`)).rows);
    assert.deepEqual(cleaned, [{ status: 500, request_body: { 'key\ufffd': 'lone \ufffd', list: ['\ufffd'] } }]);
    assert.deepEqual(buffer.stats(), { buffered: 0, written: 49, dropped: 1, failedWrites: 0, sanitised: 1, refused: 1 });
    for (let i = 0; i < 5; i++) buffer.push(entry('/after-poison'));
    await buffer.flush();
    assert.equal(await count('/after-poison'), 5, 'the next batch lands');
    await buffer.close();
  });

  test('the database going away in the middle of isolating a bad row: nothing written twice, the rest retried', async () => {
    let writes = 0;
    // Fails for the data on the whole batch, then the database goes away after the first half lands.
    const flaky: Database = {
      ...platform.db,
      withPlatform: (fn) => {
        writes++;
        if (writes === 1) return Promise.reject(Object.assign(new Error('invalid input'), { code: '22P05' }));
        if (writes === 3) return Promise.reject(new Error('connect ECONNREFUSED'));
        return platform.db.withPlatform(fn);
      },
    };
    const buffer = createApiLogBuffer(flaky, log, { batchSize: 10, flushIntervalMs: 60_000, maxBackoffMs: 10 });
    for (let i = 0; i < 10; i++) buffer.push(entry('/midway'));
    await buffer.flush(); // the first half lands; the other half goes back to the front and is retried
    assert.equal(writes, 4);
    assert.equal(await count('/midway'), 10, 'each row once: the half written before the outage is not written again');
    assert.deepEqual(buffer.stats(), { buffered: 0, written: 10, dropped: 0, failedWrites: 1, sanitised: 0, refused: 0 });
    await buffer.close();
  });
});
