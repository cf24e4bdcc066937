/**
 * `npm start`: the whole product on embedded defaults (CONTRACT section 1).
 * PostgreSQL (embedded under .data/ unless DATABASE_URL), the IDEXX Neo simulator with the demo
 * clinic (Happy Paws), the ezyVet simulator with its demo clinic (Harbour Vets), pims-sync (API + workers + scheduler) and the web dashboard (production build, built on
 * first start). Registers both demo clinics and prints the URLs, the admin login, the API key and the
 * voice assistant's secret (secrets given through the environment are not printed; see
 * start/secrets.ts). The services listen on HOST, by default 127.0.0.1 (this machine only). Ctrl-C
 * stops everything.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, redactConnectionString } from '@pims/db';
import { HARBOUR_VETS, HARBOUR_VETS_CREDENTIALS, startEzyvetSimulator, type EzyvetSimulator } from '@pims/ezyvet-sim';
import { DEMO_CLINIC, startSimulator, type Simulator } from '@pims/idexx-neo-sim';
import { banner } from './start/banner';
import { resolveHost, type StartHost } from './start/host';
import { loadSecrets } from './start/secrets';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.resolve(process.env.PIMS_DATA_DIR || path.join(root, '.data'));
const port = (name: string, dflt: number) => {
  const v = process.env[name];
  if (!v) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) fail(`${name} must be a port number (1-65535), got "${v}"`);
  return n;
};
const WEB_PORT = port('WEB_PORT', 3000);
const SYNC_PORT = port('PIMS_SYNC_PORT', 3100);
const SIM_PORT = port('NEO_SIM_PORT', 3200);
const EZYVET_SIM_PORT = port('EZYVET_SIM_PORT', 3300);
let HOST: StartHost;
try {
  HOST = resolveHost(process.env.HOST);
} catch (err) {
  fail((err as Error).message);
}

function fail(message: string): never {
  process.stderr.write(`\nnpm start: ${message}\n`);
  process.exit(1);
}

function log(message: string) {
  process.stdout.write(`[start] ${message}\n`);
}

async function assertPortFree(p: number, name: string) {
  await new Promise<void>((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => fail(`port ${p} (${name}) is already in use. Stop what uses it, or set ${name} to another port.`));
    srv.listen(p, HOST.bind, () => srv.close(() => resolve()));
  });
}

async function waitFor(url: string, what: string, child: ChildProcess | null, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited (code ${child.exitCode}) before it was ready`);
    try {
      const r = await fetch(url, { redirect: 'manual' });
      if (r.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} was not ready at ${url} within ${Math.round(timeoutMs / 1000)}s`);
}

const children: { name: string; proc: ChildProcess }[] = [];
let sim: Simulator | null = null;
let ezyvetSim: EzyvetSimulator | null = null;
let dbProc: ChildProcess | null = null;
let stopping = false;

const stopProc = (proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM') =>
  new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    const kill = setTimeout(() => proc.kill('SIGKILL'), 20_000);
    proc.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    proc.kill(signal);
  });

// Children run in process groups of their own (a Ctrl-C reaches only this script, which stops them
// in order). Should this script end some other way, it takes them down with it.
process.on('exit', () => {
  for (const p of [...children.map((c) => c.proc), dbProc]) {
    if (p?.pid && p.exitCode === null && p.signalCode === null) {
      try {
        process.kill(-p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  log('stopping...');
  // Services first (they finish or re-queue their work), the database last.
  await Promise.all(children.map(({ proc }) => stopProc(proc)));
  await sim?.close().catch(() => undefined);
  await ezyvetSim?.close().catch(() => undefined);
  if (dbProc) await stopProc(dbProc);
  log('stopped.');
  process.exit(code);
}

function run(name: string, command: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }) {
  const proc = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => `[${name}] ${l}\n`)
      .join('');
  proc.stdout!.on('data', (c: Buffer) => process.stdout.write(prefix(c)));
  proc.stderr!.on('data', (c: Buffer) => process.stderr.write(prefix(c)));
  proc.once('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`[start] ${name} stopped unexpectedly (${signal ?? `code ${code}`}); stopping everything.\n`);
      void stopAll(1);
    }
  });
  children.push({ name, proc });
  return proc;
}

/** Starts tools/db-server.ts (embedded PostgreSQL, migrated) and returns its connection string. */
async function startDbServer(): Promise<string> {
  const proc = spawn(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'tools/db-server.ts'), dataDir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
  });
  dbProc = proc;
  let out = '';
  proc.stderr!.on('data', (c: Buffer) => process.stderr.write(`[postgres] ${c}`));
  return new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /READY (\d+) (\d+) (\S+)/.exec(out);
      if (m) {
        log(`PostgreSQL ready: ${redactConnectionString(m[3])} (${m[1]} migrations applied, ${m[2]} already there)`);
        resolve(m[3]);
      }
    });
    proc.once('exit', (code) => {
      if (!stopping) reject(new Error(`the embedded PostgreSQL stopped (code ${code}); see the messages above`));
    });
  });
}

async function main() {
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const chromium = spawnSync(process.execPath, [path.join(root, 'tools/ensure-chromium.mjs')], { stdio: 'inherit' });
  if (chromium.status !== 0) process.exit(chromium.status ?? 1);

  await assertPortFree(WEB_PORT, 'WEB_PORT');
  await assertPortFree(SYNC_PORT, 'PIMS_SYNC_PORT');
  await assertPortFree(SIM_PORT, 'NEO_SIM_PORT');
  await assertPortFree(EZYVET_SIM_PORT, 'EZYVET_SIM_PORT');
  const loaded = loadSecrets(dataDir, process.env);
  for (const note of loaded.notes) log(note);
  const secrets = loaded.values;

  let databaseUrl: string;
  if (process.env.DATABASE_URL) {
    log('using DATABASE_URL');
    const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir });
    databaseUrl = db.connectionString;
    log(`PostgreSQL ready: ${redactConnectionString(databaseUrl)} (${db.migrations.applied.length} migrations applied, ${db.migrations.skipped.length} already there)`);
  } else {
    log(`starting the embedded PostgreSQL (data in ${dataDir}/postgres)...`);
    databaseUrl = await startDbServer();
  }

  sim = await startSimulator({ port: SIM_PORT, host: HOST.bind });
  log(`IDEXX Neo simulator: ${sim.url} (demo clinic "${DEMO_CLINIC.name}")`);
  ezyvetSim = await startEzyvetSimulator({ port: EZYVET_SIM_PORT, host: HOST.bind });
  log(`ezyVet simulator: ${ezyvetSim.url} (demo clinic "${HARBOUR_VETS.name}")`);

  const baseEnv = { ...process.env, NX_DAEMON: 'false', NEXT_TELEMETRY_DISABLED: '1' };
  const syncEnv = {
    ...baseEnv,
    DATABASE_URL: databaseUrl,
    PIMS_SYNC_API_KEY: secrets.PIMS_SYNC_API_KEY,
    CREDENTIALS_KEY: secrets.CREDENTIALS_KEY,
    VAPI_SECRET: secrets.VAPI_SECRET,
    PIMS_SYNC_PORT: String(SYNC_PORT),
    PIMS_SYNC_HOST: HOST.bind,
    PIMS_SYNC_ROLE: 'all',
    LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
  };
  const tsx = path.join(root, 'node_modules/.bin/tsx');
  const syncProc = run('pims-sync', tsx, ['src/main.ts'], { cwd: path.join(root, 'apps/pims-sync'), env: syncEnv });
  const syncUrl = `http://${HOST.url}:${SYNC_PORT}`;
  const webUrl = `http://${HOST.url}:${WEB_PORT}`;

  const webDir = path.join(root, 'apps/web');
  const next = path.join(root, 'node_modules/.bin/next');
  if (!existsSync(path.join(webDir, '.next/BUILD_ID'))) {
    log('building the web app (first start only, about a minute)...');
    const build = spawnSync(next, ['build'], { cwd: webDir, env: { ...baseEnv, NODE_ENV: 'production' }, stdio: 'inherit' });
    if (build.status !== 0) {
      process.stderr.write('[start] the web build failed\n');
      return stopAll(1);
    }
  }
  const webEnv = {
    ...baseEnv,
    NODE_ENV: 'production',
    PIMS_SYNC_URL: syncUrl,
    PIMS_SYNC_API_KEY: secrets.PIMS_SYNC_API_KEY,
    AUTH_JWT_SECRET: secrets.AUTH_JWT_SECRET,
    ADMIN_EMAIL: secrets.ADMIN_EMAIL,
    ADMIN_PASSWORD: secrets.ADMIN_PASSWORD,
  };
  const webProc = run('web', next, ['start', '-p', String(WEB_PORT), '-H', HOST.bind], { cwd: webDir, env: webEnv });

  await waitFor(`${syncUrl}/health`, 'pims-sync', syncProc, 180_000);
  // Register the demo clinics once (a second start reuses them).
  const headers = { 'x-api-key': secrets.PIMS_SYNC_API_KEY, 'content-type': 'application/json' };
  const list = (await (await fetch(`${syncUrl}/api/clinics`, { headers })).json()) as { clinics: { id: string; name: string }[] };
  const demos = [
    {
      name: DEMO_CLINIC.name,
      timezone: DEMO_CLINIC.timezone,
      pims: { provider: 'idexx_neo', baseUrl: sim.url, companyId: DEMO_CLINIC.companyId, username: DEMO_CLINIC.username, password: DEMO_CLINIC.password },
    },
    { name: HARBOUR_VETS.name, timezone: HARBOUR_VETS.timezone, pims: { provider: 'ezyvet', baseUrl: ezyvetSim.url, ...HARBOUR_VETS_CREDENTIALS } },
  ];
  for (const clinic of demos) {
    if (list.clinics.some((c) => c.name === clinic.name)) continue;
    const r = await fetch(`${syncUrl}/api/clinics`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ ...clinic, schedule: { openTime: '08:00', closeTime: '18:00', daysOfWeek: [1, 2, 3, 4, 5], slotDurationMinutes: 30, capacity: 2 } }),
    });
    if (r.status !== 201) throw new Error(`registering the demo clinic ${clinic.name} failed: ${r.status} ${await r.text()}`);
    log(`registered the demo clinic ${clinic.name} (${((await r.json()) as { id: string }).id})`);
  }
  await waitFor(`${webUrl}/sign-in`, 'web', webProc, 180_000);

  process.stdout.write(
    banner({
      secrets: loaded,
      webUrl,
      syncUrl,
      simUrl: sim.url,
      sim: { companyId: DEMO_CLINIC.companyId, username: DEMO_CLINIC.username },
      ezyvet: { url: ezyvetSim.url, clientId: HARBOUR_VETS_CREDENTIALS.clientId, clinic: HARBOUR_VETS.name },
      bind: HOST.bind,
      database: process.env.DATABASE_URL ? 'DATABASE_URL' : `embedded PostgreSQL, data in ${dataDir}`,
    }),
  );
}

main().catch((err) => {
  process.stderr.write(`[start] ${err instanceof Error ? err.message : String(err)}\n`);
  void stopAll(1);
});
