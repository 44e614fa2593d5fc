import type { IdentityContext, UserActor } from './identity.context.ts';
import { listUserSessions } from './sessions.store.ts';
import type { SessionView } from './sessions.store.ts';

export async function listSessions(ctx: IdentityContext, actor: UserActor): Promise<Array<SessionView & { current: boolean }>> {
  const sessions = await ctx.db.withIdentity((tx) => listUserSessions(tx, actor.userId, 100));
  return sessions.map((s) => ({ ...s, current: s.id === actor.sessionId }));
}
