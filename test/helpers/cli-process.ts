// `atrium start --role …` as a real child process (the CLI a production install runs), for tests
// of several processes on one database and of faults (kill -9). Resolves once the process says
// it is ready: the API's URL from its banner, or the worker's banner.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';

const BIN = path.resolve(import.meta.dirname, '../../bin/atrium.mjs');

export type CliProcess = { role: 'api' | 'worker'; url: string; child: ChildProcess; output: string[] };

/** `bin`: another checkout's CLI (the rolling upgrade test runs the previous release's). */
export function startCliProcess(role: 'api' | 'worker', env: Record<string, string>, bin = BIN): Promise<CliProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'start', '--role', role, ...(role === 'api' ? ['--port', '0'] : [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const text = output.join('');
      const at = /is running at (http:\/\/\S+)/.exec(text);
      if (role === 'api' && at) resolve({ role, url: at[1], child, output });
      if (role === 'worker' && /worker is running/.test(text)) resolve({ role, url: '', child, output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`atrium start --role ${role} exited with ${code} before it was ready:\n${output.join('').slice(-3000)}`)));
  });
}

/** SIGTERM (a graceful stop) and wait for the exit; nothing if it already ended. */
export async function stopCliProcess(p: CliProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  await exited;
}

/** kill -9: no drain, no cleanup. */
export async function killCliProcess(p: CliProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGKILL');
  await exited;
}
