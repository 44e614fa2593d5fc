// The fake model provider (test/helpers/fake-llm.ts) in its own process, for the gateway bench.
import { startFakeLlm } from '../../test/helpers/fake-llm.ts';

const fake = await startFakeLlm({ apiKey: process.argv[2] });
process.send?.(fake.url);
process.on('SIGTERM', async () => {
  await fake.close();
  process.exit(0);
});
