// CPU time spent by processes, read from /proc (Linux): what a contender costs the machine,
// which the host's noise moves far less than throughput does. A process tree counts its root,
// its live descendants, and the children it has reaped (PostgreSQL's postmaster reaps its
// backends and autovacuum workers, so their time stays counted after they exit).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

type Stat = { pid: number; ppid: number; self: number; reaped: number };

function readStat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const n = (i: number) => Number(fields[i - 3]);
    return { pid, ppid: n(4), self: n(14) + n(15), reaped: n(16) + n(17) };
  } catch {
    return null; // gone
  }
}

/** Milliseconds of CPU (user + system) of each root's process tree, summed. */
export function processTreeCpuMs(roots: number[]): number {
  const stats = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((d) => readStat(Number(d))).filter((s) => s !== null);
  const children = new Map<number, Stat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  let ticks = 0;
  const visit = (s: Stat, isRoot: boolean) => {
    ticks += s.self + (isRoot ? s.reaped : 0);
    for (const c of children.get(s.pid) ?? []) visit(c, false);
  };
  for (const pid of roots) {
    const root = stats.find((s) => s.pid === pid);
    if (root) visit(root, true);
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** The postmaster's pid of a running cluster (first line of postmaster.pid). */
export function postmasterPid(dataDir: string): number {
  return Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/** CPU of this process (user + system), in milliseconds. */
const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * CPU (ms) per request of each process tree during one load (a pid equal to this process's is
 * read from process.cpuUsage, its children excluded): what each contender costs the machine.
 */
export async function withCpu<T extends { requests: number }>(trees: Record<string, number>, run: () => Promise<T>): Promise<T & { cpuMsPerRequest: Record<string, number> }> {
  const read = (pid: number) => (pid === process.pid ? ownCpuMs() : processTreeCpuMs([pid]));
  const before = Object.fromEntries(Object.entries(trees).map(([k, pid]) => [k, read(pid)]));
  const r = await run();
  const cpuMsPerRequest = Object.fromEntries(Object.entries(trees).map(([k, pid]) => [k, (read(pid) - before[k]) / Math.max(1, r.requests)]));
  return { ...r, cpuMsPerRequest };
}
