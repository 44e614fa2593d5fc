// One worker process of `npm run bench:jobs-processes`: a contender's workers (plain mode, no-op
// handlers) on an existing database. argv: contender url concurrency pool. IPC: sends
// { ready } once started and { first } at its first job (Date.now()); on 'stop', stops and sends
// { ids } (every job number this process ran), then exits.
import { createAtrium, createGraphile } from './contenders.ts';

const [name, url, concurrency, pool] = process.argv.slice(2);
const common = { url, concurrency: Number(concurrency), poolSize: Number(pool), vacuum: false };
const contender = name === 'atrium' ? await createAtrium(common) : await createGraphile({ ...common, localQueueSize: 500, completeJobBatchDelay: 0 });
const ids: number[] = [];
let isFirst = true;
await contender.start('plain', async (job) => {
  if (isFirst) { isFirst = false; process.send!({ first: Date.now() }); }
  ids.push(job.n);
});
process.send!({ ready: true });
process.on('message', async (message) => {
  if (message !== 'stop') return;
  await contender.stop();
  await contender.close();
  process.send!({ ids }, () => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
