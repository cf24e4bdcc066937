/**
 * Issue 7 acceptance: `npm start` brings the product up; in real Chromium an admin signs in, runs a
 * Full Sync of the demo clinic and sees it completed; Ctrl-C (SIGINT) stops the whole process tree.
 * A second start reuses the data (the demo clinic is not registered twice). Issue 10: the services
 * listen on 127.0.0.1 only; secrets.json lives 0600 in a 0700 folder of its own (a secrets.json of an
 * older start is moved there) while the embedded PostgreSQL, as root a `postgres` user, still starts;
 * a secret given through the environment is not printed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@pims/db';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pims-npm-start-'));
chmodSync(dataDir, 0o755);
const shots = path.join(root, 'tools/test-results/npm-start');
mkdirSync(shots, { recursive: true });
let browser: Browser | null = null;
let running: ChildProcess | null = null;

afterAll(async () => {
  await browser?.close();
  if (running && running.exitCode === null && running.signalCode === null) {
    // A failed test leaves the product up: every process of its tree goes (the services run in
    // process groups of their own, so the group of npm alone is not enough).
    const tree = [running.pid!, ...descendants(running.pid!)];
    for (const pid of tree.reverse()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

function descendants(pid: number): number[] {
  const out = spawnSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' }).stdout;
  const kids = new Map<number, number[]>();
  for (const line of out.split('\n')) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    if (p) kids.set(pp, [...(kids.get(pp) ?? []), p]);
  }
  const all: number[] = [];
  const stack = [pid];
  while (stack.length) {
    for (const k of kids.get(stack.pop()!) ?? []) {
      all.push(k);
      stack.push(k);
    }
  }
  return all;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The local addresses of the TCP sockets listening on a port (Linux /proc/net; IPv6 as v6:<hex>). */
function listeners(port: number): string[] {
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== '0A') continue; // 0A: LISTEN
      const [addr, p] = cols[1].split(':');
      if (Number.parseInt(p, 16) !== port) continue;
      found.push(addr.length === 8 ? (addr.match(/../g) ?? []).reverse().map((h) => Number.parseInt(h, 16)).join('.') : `v6:${addr}`);
    }
  }
  return found;
}

const mode = (p: string) => statSync(p).mode & 0o777;

async function npmStart(ports: { web: number; sync: number; sim: number; ezyvet: number }, env: Record<string, string> = {}) {
  // detached: its own process group, as a terminal gives it; Ctrl-C is a SIGINT to that group.
  const proc = spawn('npm', ['start'], {
    cwd: root,
    detached: true,
    env: { ...process.env, PIMS_DATA_DIR: dataDir, WEB_PORT: String(ports.web), PIMS_SYNC_PORT: String(ports.sync), NEO_SIM_PORT: String(ports.sim), EZYVET_SIM_PORT: String(ports.ezyvet), ADMIN_EMAIL: '', ADMIN_PASSWORD: '', PIMS_SYNC_API_KEY: '', DATABASE_URL: '', HOST: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running = proc;
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const until = Date.now() + 8 * 60_000; // the first start builds the web app
  while (!out.includes('Press Ctrl-C to stop.')) {
    if (proc.exitCode !== null) throw new Error(`npm start exited ${proc.exitCode}:\n${out.slice(-4000)}`);
    if (Date.now() > until) throw new Error(`npm start did not come up:\n${out.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return { proc, output: () => out };
}

async function ctrlC(proc: ChildProcess) {
  const tree = [proc.pid!, ...descendants(proc.pid!)];
  const exited = new Promise<string>((resolve) => proc.once('exit', (code, signal) => resolve(signal ?? `code ${code}`)));
  process.kill(-proc.pid!, 'SIGINT');
  // npm itself dies of the SIGINT (as in a terminal); the start script under it exits 0 after "stopped."
  const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000))]);
  // Give the last children a moment to be reaped, then nothing of the tree may be left.
  for (let i = 0; i < 240 && tree.some(alive); i++) await new Promise((r) => setTimeout(r, 250));
  return { code, orphans: tree.filter(alive) };
}

describe('npm start', () => {
  it('brings the product up, runs a Full Sync from the dashboard, and stops cleanly on Ctrl-C', async () => {
    const ports = { web: await freePort(), sync: await freePort(), sim: await freePort(), ezyvet: await freePort() };
    // A secrets.json where an older start kept it, readable by all.
    const legacy = path.join(dataDir, 'secrets.json');
    writeFileSync(legacy, JSON.stringify({ ADMIN_PASSWORD: 'Legacy-Password-1' }));
    chmodSync(legacy, 0o644);
    const { proc, output } = await npmStart(ports);
    const text = output();
    const dashboard = /Dashboard:\s+(\S+)/.exec(text)![1];
    const [, email, password] = /Admin login:\s+(\S+) \/ (\S+)/.exec(text)!;
    expect(dashboard).toBe(`http://127.0.0.1:${ports.web}/dashboard/admin/sync`);
    expect(text).toContain(`pims-sync API:    http://127.0.0.1:${ports.sync}  (header x-api-key: `);
    expect(text).toMatch(/x-api-key: [0-9a-f]{48}/);
    expect(password).toBe('Legacy-Password-1');
    const secretsFile = path.join(dataDir, 'secrets', 'secrets.json');
    expect(existsSync(legacy)).toBe(false);
    expect(mode(secretsFile)).toBe(0o600);
    expect(mode(path.dirname(secretsFile))).toBe(0o700);
    expect(JSON.parse(readFileSync(secretsFile, 'utf8'))).toMatchObject({ ADMIN_PASSWORD: 'Legacy-Password-1' });
    for (const p of [ports.web, ports.sync, ports.sim, ports.ezyvet]) expect(listeners(p), `port ${p}`).toEqual(['127.0.0.1']);

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = await browser.newPage();
    await page.goto(dashboard);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Clinic sync' }).waitFor();
    const panel = page.getByTestId('sync-trigger-panel');
    await panel.getByLabel('Clinic').selectOption({ label: 'Happy Paws Veterinary' });
    await page.screenshot({ path: path.join(shots, '01-signed-in.png'), fullPage: true });
    await page.getByRole('button', { name: 'Full Sync (Past 14d + Next 14d)' }).click();
    const row = page.getByTestId('sync-history').getByTestId('history-row').first();
    await row.getByTestId('sync-status-badge').filter({ hasText: 'completed' }).waitFor({ timeout: 240_000 });
    await page.screenshot({ path: path.join(shots, '02-full-sync-completed.png'), fullPage: true });
    expect(await row.getByTestId('sync-type-badge').innerText()).toBe('Full Sync');
    await browser.close();
    browser = null;

    // Issue 15: the ezyVet demo clinic is registered too, and a full sync of it completes.
    expect(text).toContain(`ezyVet (sim):     http://127.0.0.1:${ports.ezyvet}  (Harbour Vets, client_id harbour-vets)`);
    const apiKeyPrinted = /x-api-key: ([0-9a-f]{48})/.exec(text)![1];
    const api = (p: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${ports.sync}${p}`, { ...init, headers: { 'x-api-key': apiKeyPrinted, 'content-type': 'application/json' } });
    const clinics = ((await (await api('/api/clinics')).json()) as { clinics: { id: string; name: string; pimsProvider: string }[] }).clinics;
    const harbour = clinics.find((c) => c.name === 'Harbour Vets')!;
    expect(harbour.pimsProvider).toBe('ezyvet');
    const settings = await (await api(`/api/clinics/${harbour.id}`)).text();
    expect(settings).toContain('"clientId":"harbour-vets"');
    expect(settings).not.toContain('Harbour-Secret-2026!');
    expect(text).not.toContain('Harbour-Secret-2026!');
    const queued = (await (await api('/api/sync/full', { method: 'POST', body: JSON.stringify({ clinicId: harbour.id }) })).json()) as { syncId: string };
    let audit: { status: string; casesCreated: number } = { status: 'queued', casesCreated: 0 };
    for (let i = 0; i < 480 && !['completed', 'partial', 'failed', 'cancelled'].includes(audit.status); i++) {
      await new Promise((r) => setTimeout(r, 500));
      audit = (await (await api(`/api/sync/${queued.syncId}`)).json()) as typeof audit;
    }
    expect(audit.status, JSON.stringify(audit)).toBe('completed');
    expect(audit.casesCreated).toBeGreaterThan(20);

    const stop = await ctrlC(proc);
    expect(['code 0', 'SIGINT']).toContain(stop.code);
    expect(stop.orphans).toEqual([]);
    expect(output()).toContain('stopped.');

    // A second start reuses the data: same secrets, the demo clinic is already there. An API key
    // given through the environment is used and not printed.
    const apiKey = `env-key-${'e'.repeat(32)}`;
    const again = await npmStart(ports, { PIMS_SYNC_API_KEY: apiKey });
    expect(again.output()).not.toContain('registered the demo clinic');
    expect(again.output()).toContain('ezyVet simulator:');
    expect(again.output()).toContain(`Admin login:      ${email} / ${password}`);
    expect(again.output()).toContain('(header x-api-key: (PIMS_SYNC_API_KEY from the environment))');
    expect(again.output()).not.toContain(apiKey);
    const listed = await fetch(`http://127.0.0.1:${ports.sync}/api/clinics`, { headers: { 'x-api-key': apiKey } });
    expect(listed.status).toBe(200);
    const stop2 = await ctrlC(again.proc);
    expect(['code 0', 'SIGINT']).toContain(stop2.code);
    expect(again.output()).toContain('stopped.');
    expect(stop2.orphans).toEqual([]);
  });
});
