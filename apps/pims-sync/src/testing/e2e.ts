import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppointmentScenarioInput, ClinicScenarioInput, ConsultationScenarioInput } from '@pims/idexx-neo-sim';
import { generateEncryptionKey } from '@pims/util';

/** Helpers for the end-to-end tests: scenario clinics, service child processes, polling. */

export const SIM_PASSWORD = 'Sim-Pass-2026!';
export const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await sleep(everyMs);
  }
}

/**
 * A scenario clinic for the simulator: `past` visits on days -1..-5 (each with a consultation) and
 * `future` bookings on days +2..+6 (none on today or tomorrow, so a date change during a test does
 * not move a visit across a window edge).
 */
export function scenarioClinic(companyId: string, opts: { past: number; future: number; timezone?: string; password?: string }): ClinicScenarioInput {
  const appointments: AppointmentScenarioInput[] = [];
  const consultations: ConsultationScenarioInput[] = [];
  const hour = (i: number) => `${String(8 + (i % 9)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`;
  for (let i = 0; i < opts.past; i++) {
    const id = `${companyId}-P${i}`;
    appointments.push({
      id,
      day: -1 - (i % 5),
      time: hour(Math.floor(i / 5)),
      durationMinutes: 30,
      status: 'finalized',
      type: 'Wellness Exam',
      reason: 'Annual vaccines',
      providerId: 'p1',
      roomId: 'r1',
      patient: { id: `PT-${id}`, name: `Pet ${i}`, species: 'Canine', breed: 'Beagle' },
      client: { id: `CL-${id}`, firstName: 'Ana', lastName: 'Lopez', phone: '+15551230000', email: 'ana@example.com' },
      consultationId: `K-${id}`,
    });
    consultations.push({
      id: `K-${id}`,
      status: 'Completed',
      notes: 'S: bright. O: normal. A: healthy. P: vaccines.',
      dischargeSummary: 'Rest for a day.',
      diagnoses: ['Healthy'],
      lines: [{ productService: 'Rabies vaccine', quantity: 1, isDeclined: false }],
    });
  }
  for (let i = 0; i < opts.future; i++) {
    const id = `${companyId}-F${i}`;
    appointments.push({
      id,
      day: 2 + (i % 5),
      time: hour(Math.floor(i / 5)),
      durationMinutes: 30,
      status: 'not_arrived',
      type: 'Wellness Exam',
      reason: 'Check-up',
      providerId: 'p1',
      roomId: 'r1',
      patient: { id: `PT-${id}`, name: `Pet F${i}`, species: 'Feline', breed: 'Siamese' },
      client: { id: `CL-${id}`, firstName: 'Bo', lastName: 'Chen', phone: '+15551230001', email: 'bo@example.com' },
    });
  }
  return {
    companyId,
    username: `user-${companyId}`,
    password: opts.password ?? SIM_PASSWORD,
    timezone: opts.timezone ?? 'America/New_York',
    businessHours: [{ daysOfWeek: [1, 2, 3, 4, 5, 6, 7], startTime: '08:00', endTime: '18:00' }],
    slotInterval: 30,
    rooms: [{ id: 'r1', name: 'Exam 1' }],
    providers: [{ id: 'p1', name: 'Dr. Rivera' }],
    appointments,
    consultations,
  };
}

export function clinicBody(simUrl: string, companyId: string, extra: Record<string, unknown> = {}) {
  return {
    name: `Clinic ${companyId}`,
    timezone: 'America/New_York',
    pims: { provider: 'idexx_neo', baseUrl: simUrl, companyId, username: `user-${companyId}`, password: SIM_PASSWORD },
    schedule: { openTime: '08:00', closeTime: '18:00', daysOfWeek: [1, 2, 3, 4, 5, 6, 7], slotDurationMinutes: 30, capacity: 2 },
    ...extra,
  };
}

export interface TestSecrets {
  apiKey: string;
  credentialsKey: string;
}

export function testSecrets(): TestSecrets {
  return { apiKey: `key-${generateEncryptionKey().replace(/[^a-zA-Z0-9]/g, '')}`, credentialsKey: generateEncryptionKey() };
}

/** The environment of a pims-sync process on a test database, with fast queue timings. */
export function serviceEnv(databaseUrl: string, secrets: TestSecrets, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    PIMS_SYNC_API_KEY: secrets.apiKey,
    CREDENTIALS_KEY: secrets.credentialsKey,
    PIMS_SYNC_PORT: '0',
    PIMS_SYNC_HOST: '127.0.0.1',
    PIMS_SYNC_ROLE: 'all',
    LOG_LEVEL: 'debug',
    PIMS_SYNC_WORKER_CONCURRENCY: '1',
    PIMS_SYNC_POLL_SECONDS: '1',
    PIMS_SYNC_SWEEP_SECONDS: '1',
    PIMS_SYNC_STALE_SECONDS: '30',
    PIMS_SYNC_JOB_EXPIRE_SECONDS: '60',
    PIMS_SYNC_MAINTENANCE_SECONDS: '2',
    PIMS_SYNC_RETRY_DELAY_SECONDS: '1',
    PIMS_SYNC_SHUTDOWN_GRACE_SECONDS: '2',
    ...(process.env.CHROMIUM_PATH ? { CHROMIUM_PATH: process.env.CHROMIUM_PATH } : {}),
    ...extra,
  };
}

export interface ServiceChild {
  name: string;
  proc: ChildProcess;
  /** Every line it wrote (stdout and stderr). */
  lines: string[];
  /** Its API URL (api and all roles). */
  url(): Promise<string>;
  exited: Promise<number | null>;
  /** SIGKILL to its whole process group (node and its Chromium). */
  kill(): void;
  /** SIGTERM, then waits for the exit (SIGKILL to the group after timeoutMs). */
  stop(timeoutMs?: number): Promise<number | null>;
}

/** Starts `tsx src/main.ts` as a child process in its own process group. */
export function spawnService(name: string, env: Record<string, string>): ServiceChild {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: APP_DIR,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  const collect = (stream: NodeJS.ReadableStream | null) => {
    let buf = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buf += chunk;
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      for (const l of parts) if (l.trim()) lines.push(l);
    });
    stream?.on('end', () => {
      if (buf.trim()) lines.push(buf);
    });
  };
  collect(proc.stdout);
  collect(proc.stderr);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  let dead = false;
  void exited.then(() => (dead = true));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-proc.pid!, signal);
    } catch {
      // already gone
    }
  };
  return {
    name,
    proc,
    lines,
    exited,
    async url() {
      return waitFor(
        `${name} to listen`,
        async () => {
          if (dead) throw new Error(`${name} exited:\n${lines.slice(-20).join('\n')}`);
          const l = lines.find((x) => x.startsWith('pims-sync API listening on '));
          return l ? l.split(' ')[4] : null;
        },
        90_000,
        100,
      );
    },
    kill() {
      killGroup('SIGKILL');
    },
    async stop(timeoutMs = 20_000) {
      if (dead) return exited;
      try {
        process.kill(proc.pid!, 'SIGTERM');
      } catch {
        // gone
      }
      const t = setTimeout(() => killGroup('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(t);
      killGroup('SIGKILL'); // anything left in its group (a browser)
      return code;
    },
  };
}

/** Parsed JSON log lines of a child (non-JSON lines skipped). */
export function jsonLines(lines: string[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const l of lines) {
    if (!l.startsWith('{')) continue;
    try {
      out.push(JSON.parse(l));
    } catch {
      // not JSON
    }
  }
  return out;
}

/** A tiny HTTP client of the API. */
export function apiClient(baseUrl: string, apiKey: string) {
  return async (method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const res = await fetch(`${baseUrl}${p}`, {
      method,
      headers: { 'x-api-key': apiKey, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed };
  };
}

/** Writes the children's output under the OS temp folder (for a look after a failure); returns the folder. */
export function dumpLogs(label: string, children: ServiceChild[]): string {
  const dir = path.join(os.tmpdir(), 'pims-sync-test-logs', label);
  mkdirSync(dir, { recursive: true });
  for (const c of children) writeFileSync(path.join(dir, `${c.name}.log`), c.lines.join('\n'));
  return dir;
}
