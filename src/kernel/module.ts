import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import type { Logger } from './logging.ts';

export type { FastifyPluginAsyncTypebox as RoutePlugin } from '@fastify/type-provider-typebox';

/** What every module receives from the composition root. */
export type KernelDeps = { config: Config; db: Database; log: Logger };

/** A background loop a module runs in worker processes (the job engine replaces these later). */
export type Worker = { name: string; start(): void; stop(): Promise<void> };
