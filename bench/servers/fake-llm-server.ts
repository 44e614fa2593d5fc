// The fake model provider (test/helpers/fake-llm.ts) in its own process, for the gateway and
// agent benches. Sent 'timings' over IPC, it answers how long it took over each chat completion,
// by the nonce `[n:…]` of its last user message (what the agent-runtime bench subtracts).
import { startFakeLlm } from '../../test/helpers/fake-llm.ts';

const fake = await startFakeLlm({ apiKey: process.argv[2] });
process.send?.(fake.url);
process.on('message', (message) => {
  if (message !== 'timings') return;
  const timings: Record<string, number> = {};
  for (const r of fake.requests) {
    const messages = (r.body.messages ?? []) as Array<{ role: string; content?: unknown }>;
    const last = [...messages].reverse().find((m) => m.role === 'user');
    const nonce = /\[n:([\w-]+)\]/.exec(typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content ?? ''))?.[1];
    if (nonce && r.ms !== undefined) timings[nonce] = (timings[nonce] ?? 0) + r.ms;
  }
  process.send?.({ timings });
});
process.on('SIGTERM', async () => {
  await fake.close();
  process.exit(0);
});
