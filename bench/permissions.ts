// `npm run bench:permissions`: conditional permission checks per second, same run, same rules.
//
//  * raw @casl/ability — the peer: createMongoAbility on the rules Atrium compiles for a viewer
//    holding a custom role "may revoke only the API keys they created, and only member or viewer
//    keys", checked with ability.can('revoke', subject('api_key', key)).
//  * Atrium can() — can(principal, 'api_key.revoke', key) on a principal resolved at
//    authentication (what a use-case calls).
//  * Atrium resolve + can() — per check, the authentication step too: the access resolver's
//    cached path (member state, then the ability cache keyed by workspace, roles_version and role
//    set), then can(). Its database read is served by an in-memory stand-in (it happens once per
//    2 s per member; this bench measures the CPU path, not PostgreSQL).
//
// Half the keys are the caller's (allowed), half another user's (denied). Interleaved rounds,
// median reported. No database needed.
import { createMongoAbility, subject } from '@casl/ability';
import type { Database } from '../src/kernel/db/database.ts';
import type { Principal } from '../src/kernel/http/principal.ts';
import { createLogger } from '../src/kernel/logging.ts';
import { can, compileAccess } from '../src/modules/access/index.ts';
import type { Grant } from '../src/modules/access/index.ts';
import { SELF } from '../src/modules/access/conditions.ts';
import { builtInGrants } from '../src/modules/access/abilities.ts';
import { createAccessResolver } from '../src/modules/access/access-resolver.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 1000);
const ME = '01900000-0000-7000-8000-00000000000a';
const OTHER = '01900000-0000-7000-8000-00000000000b';
const WS = '01900000-0000-7000-8000-0000000000ff';

const custom: Grant[] = [
  { permission: 'api_key.read', conditions: null },
  { permission: 'api_key.revoke', conditions: { createdBy: SELF, role: { $in: ['member', 'viewer'] } } },
];
const access = compileAccess([...builtInGrants('viewer'), ...custom], ME);
const principal: Principal = { kind: 'user', userId: ME, apiKeyId: null, workspaceId: WS, role: 'viewer', sessionId: null, isPlatformAdmin: false, access };

// The peer gets exactly the rules Atrium compiled (SELF already resolved).
const raw = createMongoAbility(access.ability.rules);

const ROLE = '01900000-0000-7000-8000-0000000000a1';
const standIn = { readInWorkspace: async () => [{ version: '7', role_ids: [ROLE], grants: custom }] } as unknown as Database;
const resolver = createAccessResolver(standIn, createLogger('silent'));
const bare: Principal = { ...principal, access: undefined };

const KEYS = 1024;
const keys = Array.from({ length: KEYS }, (_, i) => ({ id: `k${i}`, createdBy: i % 2 === 0 ? ME : OTHER, role: i % 4 < 2 ? 'member' : 'viewer' }));

type Contender = { name: string; run: (n: number) => Promise<number> | number };

const contenders: Contender[] = [
  {
    name: 'raw @casl/ability',
    run: (n) => {
      let allowed = 0;
      for (let i = 0; i < n; i++) if (raw.can('revoke', subject('api_key', keys[i & (KEYS - 1)]))) allowed++;
      return allowed;
    },
  },
  {
    name: 'Atrium can()',
    run: (n) => {
      let allowed = 0;
      for (let i = 0; i < n; i++) if (can(principal, 'api_key.revoke', keys[i & (KEYS - 1)])) allowed++;
      return allowed;
    },
  },
  {
    name: 'Atrium resolve (cached) + can()',
    run: async (n) => {
      let allowed = 0;
      for (let i = 0; i < n; i++) {
        const p = await resolver.resolve(bare);
        if (can(p, 'api_key.revoke', keys[i & (KEYS - 1)])) allowed++;
      }
      return allowed;
    },
  },
];

async function measure(c: Contender): Promise<number> {
  const batch = 10_000;
  let checks = 0;
  let allowed = 0;
  const start = performance.now();
  while (performance.now() - start < ROUND_MS) {
    allowed += await c.run(batch);
    checks += batch;
  }
  const seconds = (performance.now() - start) / 1000;
  // Half allowed: the checks really evaluated the conditions.
  if (Math.abs(allowed / checks - 0.5) > 0.01) throw new Error(`${c.name}: ${allowed}/${checks} allowed, expected half`);
  return checks / seconds;
}

for (const c of contenders) await measure(c); // warm-up
const results = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const c of contenders) results.get(c.name)!.push(await measure(c));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const peer = median(results.get('raw @casl/ability')!);
console.log(`permission checks, role with conditions ("own keys, member or viewer only"), ${ROUNDS} rounds of ${ROUND_MS} ms, median`);
for (const c of contenders) {
  const rate = median(results.get(c.name)!);
  console.log(`${c.name.padEnd(34)} ${Math.round(rate).toLocaleString('en-US').padStart(12)} checks/s   ${(rate / peer).toFixed(2)}× raw`);
}
