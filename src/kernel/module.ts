import type { Bus } from './bus.ts';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import type { Logger } from './logging.ts';

export type { FastifyPluginAsyncTypebox as RoutePlugin } from '@fastify/type-provider-typebox';

/**
 * What every module receives from the composition root. `bus` shares cache invalidations between
 * processes (absent where a module is built alone, as in a unit test: invalidations stay local).
 */
export type KernelDeps = { config: Config; db: Database; log: Logger; bus?: Bus };

/** A cache's forget function, cluster-wide when the composition root gave a bus (kernel/bus.ts). */
export function sharedForget<F extends (key?: string) => void>(deps: Pick<KernelDeps, 'bus'>, topic: string, forget: F): F {
  return deps.bus ? deps.bus.shared(topic, forget) as F : forget;
}

/** A background loop a module runs in worker processes (the job engine replaces these later). */
export type Worker = { name: string; start(): void; stop(): Promise<void> };
