// What the benches share to run their contenders: a server in a process of its own (started when
// it says so over IPC, with what it said), stopped by SIGTERM; percentiles of a list of times.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';

/** Servers started and not yet stopped: a bench that dies takes them with it (they share its stdout, so a piped run would otherwise hang on them). */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGTERM');
});

/** Fork bench/servers/<file> (or an absolute path) with args; resolves with the child and its first IPC message. */
export function startProcess(file: string, args: string[], options: { execArgv?: string[] } = {}): Promise<{ child: ChildProcess; message: unknown }> {
  return new Promise((resolve, reject) => {
    // BENCH_CPU_PROF=dir: a V8 CPU profile of each server (where its time goes).
    const execArgv = [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), ...(options.execArgv ?? [])];
    const script = path.isAbsolute(file) ? file : path.join(import.meta.dirname, '..', 'servers', file);
    const child = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
    live.add(child);
    child.once('exit', () => live.delete(child));
    child.once('message', (message) => resolve({ child, message }));
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** The p-th percentile (0–1) of a list, nearest rank. */
export const pct = (list: number[], p: number): number => { const s = [...list].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
