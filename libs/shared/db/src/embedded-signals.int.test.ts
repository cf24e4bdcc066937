import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('embedded PostgreSQL and signals', () => {
  it("leaves SIGTERM to the process's owner: the server is still up during a graceful shutdown", async () => {
    const child = spawn(path.resolve(here, '../../../../node_modules/.bin/tsx'), [path.join(here, 'testing/signal-child.ts')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const until = Date.now() + 90_000;
    while (!out.includes('ready') && Date.now() < until && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain('ready');
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(out).toContain('graceful 1');
  });
});
