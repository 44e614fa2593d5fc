// The outbox end to end: a mail enqueued in a transaction is delivered to a real SMTP server
// (smtp-server on loopback) by a job; a refused send is recorded and retried, the last attempt
// leaves the mail failed; without SMTP_URL it stays stored for the dev mailbox.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';

type Received = { from: string; to: string[]; data: string };
const received: Received[] = [];
let smtp: SMTPServer;
let smtpPort: number;

before(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (chunk: Buffer) => (data += chunk.toString()));
      stream.on('end', () => {
        received.push({ from: String(session.envelope.mailFrom && session.envelope.mailFrom.address), to: session.envelope.rcptTo.map((r) => r.address), data });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});

after(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

async function workspaceFor(platform: TestPlatform, slug: string): Promise<string> {
  const { rows } = await platform.db.withPlatform((tx) => tx.query<{ id: string }>(`insert into workspaces (slug, name) values ($1, $1) returning id`, [slug]));
  return rows[0].id;
}

async function waitFor<T>(fn: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await fn();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('with SMTP_URL, a job delivers the mail and marks it sent, outside any transaction', async () => {
  const platform = await startTestPlatform({ SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, ATRIUM_MAIL_FROM: 'noreply@atrium.test' });
  try {
    const ws = await workspaceFor(platform, 'mail-smtp');
    const id = await platform.db.withWorkspace(ws, (tx) => platform.mail.enqueue(tx, { workspaceId: ws, to: 'ada@example.com', subject: 'Hello Ada', text: 'plain body', html: '<p>html body</p>', kind: 'welcome' }));
    // A mail whose transaction rolls back never exists.
    await assert.rejects(platform.db.withWorkspace(ws, async (tx) => {
      await platform.mail.enqueue(tx, { workspaceId: ws, to: 'ghost@example.com', subject: 'Never', text: 'x' });
      throw new Error('rollback');
    }));
    platform.jobs.start();
    const status = await waitFor(async () => {
      const { rows } = await platform.db.withWorkspace(ws, (tx) => tx.query<{ status: string }>('select status from outbox_messages where id = $1', [id]));
      return rows[0].status === 'sent' ? rows[0].status : undefined;
    }, 'the mail to be sent');
    await platform.jobs.stop();
    assert.equal(status, 'sent');
    assert.equal(received.length, 1);
    assert.deepEqual(received[0].to, ['ada@example.com']);
    assert.equal(received[0].from, 'noreply@atrium.test');
    assert.match(received[0].data, /Subject: Hello Ada/);
    assert.match(received[0].data, /plain body/);
    assert.equal(received.some((r) => r.to.includes('ghost@example.com')), false);
  } finally {
    await platform.stop();
  }
});

test('a refused send is recorded and retried; after the last attempt the mail is failed and the job dead', async () => {
  // A port nobody listens on: every attempt is refused.
  const platform = await startTestPlatform({ SMTP_URL: 'smtp://127.0.0.1:9', ATRIUM_MAIL_FROM: 'noreply@atrium.test' });
  try {
    const ws = await workspaceFor(platform, 'mail-refused');
    const id = await platform.db.withWorkspace(ws, (tx) => platform.mail.enqueue(tx, { workspaceId: ws, to: 'eve@example.com', subject: 'Refused', text: 'x' }));
    // Two attempts and no waiting between them: this job's own limits.
    await platform.db.withPlatform((tx) => tx.query(`update jobs set max_attempts = 2 where queue = 'mail.deliver'`));
    await platform.db.withPlatform((tx) => tx.query(`update jobs set run_at = now() where queue = 'mail.deliver'`));
    platform.jobs.start();
    const first = await waitFor(async () => {
      const { rows } = await platform.db.withWorkspace(ws, (tx) => tx.query<{ status: string; attempts: number; last_error: string | null }>('select status, attempts, last_error from outbox_messages where id = $1', [id]));
      return rows[0].attempts >= 1 ? rows[0] : undefined;
    }, 'the first attempt');
    assert.equal(first.status, 'pending', 'retried after a failure');
    assert.match(first.last_error ?? '', /ECONNREFUSED|connect/i);
    await platform.db.withPlatform((tx) => tx.query(`update jobs set run_at = now() where queue = 'mail.deliver' and status = 'pending'`));
    const last = await waitFor(async () => {
      const { rows } = await platform.db.withWorkspace(ws, (tx) => tx.query<{ status: string; attempts: number }>('select status, attempts from outbox_messages where id = $1', [id]));
      return rows[0].status === 'failed' ? rows[0] : undefined;
    }, 'the mail to fail for good');
    assert.equal(last.attempts, 2);
    const dead = await waitFor(async () => {
      const { rows } = await platform.db.withPlatform((tx) => tx.query<{ status: string }>(`select status from jobs where queue = 'mail.deliver'`));
      return rows[0]?.status === 'dead' ? rows[0] : undefined;
    }, 'the job to be dead');
    assert.equal(dead.status, 'dead');
  } finally {
    await platform.jobs.stop();
    await platform.stop();
  }
});

test('at start, pending mails without a live job get one, once', async () => {
  const platform = await startTestPlatform({ SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, ATRIUM_MAIL_FROM: 'noreply@atrium.test' });
  try {
    const ws = await workspaceFor(platform, 'mail-resume');
    // A mail written before delivery moved onto the job engine: pending, no job.
    const { rows } = await platform.db.withWorkspace(ws, (tx) => tx.query<{ id: string }>(
      `insert into outbox_messages (workspace_id, to_address, subject, text_body, status) values ($1, 'old@example.com', 'Left behind', 'x', 'pending') returning id`, [ws]));
    const queued = await platform.db.withWorkspace(ws, (tx) => platform.mail.enqueue(tx, { workspaceId: ws, to: 'new@example.com', subject: 'Queued', text: 'y' }));
    assert.equal(await platform.db.withPlatform((tx) => platform.mail.resumePending(tx)), 2);
    assert.equal(await platform.db.withPlatform((tx) => platform.mail.resumePending(tx)), 2, 'considered again');
    const jobs = await platform.db.withPlatform((tx) => tx.query<{ mail_id: string }>(`select payload->>'mailId' as mail_id from jobs where queue = 'mail.deliver' order by 1`));
    assert.deepEqual(jobs.rows.map((r) => r.mail_id).sort(), [rows[0].id, queued].sort(), 'one job per mail, whatever the number of starts');
  } finally {
    await platform.stop();
  }
});

test('without SMTP_URL, mails are stored and readable in the dev mailbox only', async () => {
  const platform = await startTestPlatform();
  try {
    const ws = await workspaceFor(platform, 'mail-stored');
    await platform.db.withWorkspace(ws, (tx) => platform.mail.enqueue(tx, { workspaceId: ws, to: 'bob@example.com', subject: 'Stored', text: 'kept' }));
    const { rows } = await platform.db.withWorkspace(ws, (tx) => tx.query<{ status: string }>('select status from outbox_messages'));
    assert.deepEqual(rows.map((r) => r.status), ['stored']);
    const jobs = await platform.db.withPlatform((tx) => tx.query(`select 1 from jobs where queue = 'mail.deliver'`));
    assert.equal(jobs.rowCount, 0, 'no delivery job without SMTP');
  } finally {
    await platform.stop();
  }
});
