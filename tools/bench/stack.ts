import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@pims/db';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Proc {
  proc: ChildProcess;
  url: string | null;
  stop(): Promise<void>;
}

/** Starts a pims-sync process (tsx src/main.ts) in a role and waits until it is ready. */
export async function startPimsSync(env: Record<string, string>, role: 'api' | 'worker' | 'all'): Promise<Proc> {
  const port = role === 'worker' ? 0 : await freePort();
  const proc = spawn(path.join(root, 'node_modules/.bin/tsx'), ['src/main.ts'], {
    cwd: path.join(root, 'apps/pims-sync'),
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, PIMS_SYNC_ROLE: role, PIMS_SYNC_PORT: String(port), PIMS_SYNC_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const url = role === 'worker' ? null : `http://127.0.0.1:${port}`;
  const until = Date.now() + 120_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`pims-sync (${role}) exited: ${output.slice(-2000)}`);
    if (url) {
      try {
        if ((await fetch(`${url}/health`)).ok) break;
      } catch {
        // starting
      }
    } else if (/worker|ready|started/i.test(output) || Date.now() > until - 110_000) break;
    if (Date.now() > until) throw new Error(`pims-sync (${role}) not ready: ${output.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    proc,
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        const t = setTimeout(() => proc.kill('SIGKILL'), 20_000);
        proc.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        proc.kill('SIGTERM');
      }),
  };
}
