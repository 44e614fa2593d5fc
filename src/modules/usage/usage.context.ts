import type { Database, Tx } from '../../kernel/db/database.ts';
import type { Logger } from '../../kernel/logging.ts';
import type { Config } from '../../kernel/config.ts';
import type { AuditModule } from '../audit/index.ts';
import type { TenancyModule } from '../tenancy/index.ts';
import type { IdentityModule } from '../identity/index.ts';
import type { MailModule } from '../mail/index.ts';
import type { UsageEventWriter } from './usage-event-writer.ts';

/** Emits an outbound event in the caller's transaction (webhooks' door, given at the root). */
export type EmitEvent = (tx: Tx, workspaceId: string, eventType: string, payload: Record<string, unknown>) => Promise<unknown>;

/** What the usage use-cases need. */
export type UsageContext = {
  config: Config; db: Database; log: Logger; audit: AuditModule; tenancy: TenancyModule; identity: IdentityModule; mail: MailModule; emit: EmitEvent;
  /** Seconds before a reservation whose call never settled (its process died) is released. */
  reservationTtlSeconds: number;
  /** Note that a workspace's quotas changed (readers that cache them reload). */
  quotasChanged(workspaceId: string): void;
  /** Group commit of the events that touch no counter (usage-event-writer.ts). */
  eventWriter: UsageEventWriter;
};
