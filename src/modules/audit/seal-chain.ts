// The sealer: links committed events into their workspace's hash chain, after commit
// (ADR 0012). A mutation only inserts its event; here, on the platform path, events whose
// transactions are all finished are taken in chain order (inserting transaction, then id), each
// gets seq = previous + 1, prev_hash and hash = sha256(prev_hash + canonical form), and the
// links and the new position are written in one transaction. One sealer at a time (the
// position row is locked; another worker finding it locked skips its turn).
import type { Database } from '../../kernel/db/database.ts';
import type { Logger } from '../../kernel/logging.ts';
import type { Worker } from '../../kernel/module.ts';
import { insertLinks, lockSealPosition, moveSealPosition, selectChainHeads, selectSealable, selectSealHorizon, selectNextXact } from './audit.store.ts';
import type { NewLink } from './audit.store.ts';
import { GENESIS_HASH, linkHash } from './hash-chain.ts';

export const SEAL_BATCH = 2000;
export const SEAL_INTERVAL_MS = 1000;

/**
 * `horizon`: the oldest transaction still running when the pass looked; every event of a
 * transaction below it was within the pass's reach. `isBusy`: another sealer holds the position.
 */
export type SealRun = { sealed: number; workspaces: number; horizon: number; isBusy: boolean };

/** One pass: up to `batchSize` events. */
export async function sealOnce(db: Database, batchSize = SEAL_BATCH): Promise<SealRun> {
  return db.withPlatform(async (tx) => {
    const position = await lockSealPosition(tx);
    if (!position) return { sealed: 0, workspaces: 0, horizon: 0, isBusy: true };
    const horizon = await selectSealHorizon(tx);
    const events = await selectSealable(tx, position, horizon, batchSize);
    if (events.length === 0) return { sealed: 0, workspaces: 0, horizon, isBusy: false };
    const heads = await selectChainHeads(tx, [...new Set(events.map((e) => e.workspaceId))], GENESIS_HASH);
    const links: NewLink[] = events.map((event) => {
      const head = heads.get(event.workspaceId)!;
      const seq = head.seq + 1;
      const hash = linkHash(head.hash, { ...event, seq });
      heads.set(event.workspaceId, { seq, hash });
      return { workspaceId: event.workspaceId, seq, eventId: event.id, prevHash: head.hash, hash };
    });
    await insertLinks(tx, links);
    const last = events[events.length - 1];
    await moveSealPosition(tx, { tx: last.tx, eventId: last.id });
    return { sealed: events.length, workspaces: heads.size, horizon, isBusy: false };
  });
}

/** Seals everything sealable now (passes until one comes back short). */
export async function sealAll(db: Database, batchSize = SEAL_BATCH): Promise<SealRun> {
  const total: SealRun = { sealed: 0, workspaces: 0, horizon: 0, isBusy: false };
  for (;;) {
    const run = await sealOnce(db, batchSize);
    total.sealed += run.sealed;
    total.workspaces += run.workspaces;
    total.horizon = run.horizon;
    total.isBusy = run.isBusy;
    if (run.isBusy || run.sealed < batchSize) return total;
  }
}

/**
 * Seals every event committed before the call (the CLI's verify, tests, the bench). A
 * transaction that began earlier and is still open anywhere in the cluster holds the horizon
 * back, so this waits for those to end, up to `timeoutMs`; past it, what they would have
 * allowed stays pending (verification reports it). Returns how many events were sealed.
 */
export async function sealCommitted(db: Database, options: { timeoutMs?: number } = {}): Promise<number> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const target = await db.withPlatform((tx) => selectNextXact(tx));
  let sealed = 0;
  for (let pause = 5; ; pause = Math.min(pause * 2, 200)) {
    const run = await sealAll(db);
    sealed += run.sealed;
    if ((!run.isBusy && run.horizon >= target) || Date.now() >= deadline) return sealed;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/** The workers' loop: a pass every second, back to back while there is a backlog. */
export function createSealer(db: Database, log: Logger, intervalMs = SEAL_INTERVAL_MS): Worker {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let isStopped = true;
  let failures = 0;
  const loop = () => {
    if (isStopped) return;
    running = sealAll(db)
      .then(() => {
        if (failures > 0) log.info({ afterFailures: failures }, 'audit sealer: sealing again');
        failures = 0;
      })
      .catch((err) => {
        if (failures === 0) log.error({ err }, 'audit sealer: a pass failed; retrying');
        failures++;
      })
      .finally(() => {
        if (!isStopped) timer = setTimeout(loop, failures > 0 ? Math.min(30_000, intervalMs * 2 ** failures) : intervalMs);
      });
  };
  return {
    name: 'audit-sealer',
    start() {
      if (!isStopped) return;
      isStopped = false;
      loop();
    },
    async stop() {
      isStopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
