// The event types subscriptions may listen to. Modules that emit events register theirs (from
// the composition root); a subscription naming an unknown type is refused.
const TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

export type EventType = { type: string; description: string };

export const BUILT_IN_EVENT_TYPES: readonly EventType[] = [
  { type: 'execution.completed', description: 'A workflow execution completed' },
  { type: 'execution.failed', description: 'A workflow execution failed (or timed out)' },
];

/** Sent by "send test"; never subscribable. */
export const PING_EVENT = 'ping';

export function createEventTypeRegistry(initial: readonly EventType[] = BUILT_IN_EVENT_TYPES) {
  const types = new Map<string, EventType>();
  function register(type: string, description: string): void {
    if (!TYPE.test(type) || type.length > 100) throw new Error(`Event type "${type}" must look like resource.verb (lowercase, dotted)`);
    if (!types.has(type)) types.set(type, { type, description });
  }
  for (const t of initial) register(t.type, t.description);
  return {
    register,
    has: (type: string) => types.has(type),
    list: (): EventType[] => [...types.values()].sort((a, b) => a.type.localeCompare(b.type)),
  };
}

export type EventTypeRegistry = ReturnType<typeof createEventTypeRegistry>;
