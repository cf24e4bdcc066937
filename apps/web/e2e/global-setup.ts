import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Builds the app (`next build`, skipped with E2E_SKIP_BUILD=1), then starts the real stack with
 * e2e/stack.ts in a child process and waits for it. The returned teardown stops that process, which
 * stops everything it started (next start, pims-sync, simulator, PostgreSQL).
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const webDir = path.resolve(here, '..');
const repoRoot = path.resolve(webDir, '../..');
export const STATE_FILE = path.join(webDir, 'test-results', 'e2e-stack.json');
export const SCREENSHOT_DIR = path.join(webDir, 'test-results', 'screenshots');

function stopStack(proc: ChildProcess, timeoutMs = 60_000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      process.stderr.write('[e2e] the stack did not stop in time: SIGKILL\n');
      proc.kill('SIGKILL');
    }, timeoutMs);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    throw new Error(`No Chromium at ${chromium}. Install one (Debian: apt-get install -y chromium) or set CHROMIUM_PATH.`);
  }
  if (!process.env.E2E_SKIP_BUILD) {
    execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/next/dist/bin/next'), 'build'], {
      cwd: webDir,
      stdio: 'inherit',
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
    });
  }
  rmSync(STATE_FILE, { force: true });
  rmSync(SCREENSHOT_DIR, { recursive: true, force: true });
  mkdirSync(SCREENSHOT_DIR, { recursive: true });

  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'stack.ts'), STATE_FILE], {
    cwd: webDir,
    env: { ...process.env, CHROMIUM_PATH: chromium },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the e2e stack did not start within 240 s')), 240_000);
      let out = '';
      proc.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('STACK_READY')) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the e2e stack exited with code ${code} before it was ready`));
      });
    });
  } catch (err) {
    await stopStack(proc);
    throw err;
  }
  process.env.E2E_STACK_STATE = STATE_FILE;
  return () => stopStack(proc);
}
