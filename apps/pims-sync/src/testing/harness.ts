import { Writable } from 'node:stream';
import type PgBoss from 'pg-boss';
import type pg from 'pg';
import { createPool } from '@pims/db';
import { createTestDatabase, type TestDatabase } from '@pims/db/testing';
import type { PimsProvider } from '@pims/pims';
import type { AuditsRepository, ClinicsRepository } from '@pims/sync-data-access';
import { generateEncryptionKey, parseEncryptionKey } from '@pims/util';
import type { createApp } from '../app';
import { createHttpApp, createServices, type Services, type ServiceSettings } from '../composition';
import { DISPATCH_BATCH_SIZE } from '../env';
import { createLogger, type ServiceLogger } from '../logger';
import { startBoss } from '../queue/boss';
import type { SyncService } from '../services/sync-service';

export const TEST_API_KEY = 'test-api-key-0123456789abcdef';

/** A pino logger writing into an array (for assertions on log lines). */
export function captureLogger(level = 'debug'): { logger: ServiceLogger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger({ level, destination }), lines };
}

/** Queue settings of the harness (nothing of it runs unless a test starts it). */
export const TEST_QUEUE_SETTINGS: ServiceSettings = {
  workerConcurrency: 1,
  jobExpireSeconds: 600,
  maintenanceSeconds: 600,
  pollSeconds: 1,
  sweepSeconds: 1,
  staleSeconds: 30,
  maxAttempts: 3,
  retryDelaySeconds: 1,
  shutdownGraceSeconds: 0,
  dispatchTickSeconds: 60,
  dispatchBatchSize: DISPATCH_BATCH_SIZE,
  writeBackConcurrency: 4,
  writeBackPollSeconds: 0.5,
  writeBackMaxAttempts: 8,
};

export interface ApiHarness {
  db: TestDatabase;
  /** The app's pool: the test database's, or its own of `poolMax` connections. */
  pool: pg.Pool;
  boss: PgBoss;
  app: ReturnType<typeof createApp>;
  audits: AuditsRepository;
  clinics: ClinicsRepository;
  syncs: SyncService;
  /** Everything the composition root built (none of it started). */
  services: Services;
  credentialsKey: Buffer;
  logLines: string[];
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

export interface HarnessOptions {
  poolMax?: number;
  /** The PIMS providers test-connection logs in through (no workers are built on them). */
  providers?: PimsProvider[];
  /** Another harness's database (left to that harness to drop) and its credentials key. */
  database?: TestDatabase;
  credentialsKey?: Buffer;
}

/**
 * The API on a fresh database with a real pg-boss (no workers): what the contract tests talk to.
 * `poolMax` gives the app a pool of its own of that size (as service.ts makes one), apart from the
 * pool the test itself queries with (`db.pool`).
 */
export async function startApiHarness(opts: HarnessOptions = {}): Promise<ApiHarness> {
  // On another harness's database (with poolMax), a second process on it: its own pool and pg-boss.
  const db = opts.database ?? (await createTestDatabase());
  const pool = opts.poolMax ? createPool(db.connectionString, { max: opts.poolMax, applicationName: 'pims-sync-api' }) : db.pool;
  const { logger, lines } = captureLogger();
  const credentialsKey = opts.credentialsKey ?? parseEncryptionKey(generateEncryptionKey());
  const settings = TEST_QUEUE_SETTINGS;
  const boss = await startBoss(pool, db.connectionString, { jobExpireSeconds: settings.jobExpireSeconds, maintenanceSeconds: 600, retryLimit: 2, retryDelaySeconds: 1 }, logger);
  const services = createServices({ pool, boss, credentialsKey, logger, settings, providers: opts.providers, workers: false });
  const app = createHttpApp(services, { apiKey: TEST_API_KEY, logger });
  const { audits, clinics } = services.repositories;
  return {
    db,
    pool,
    boss,
    app,
    audits,
    clinics,
    syncs: services.syncs,
    services,
    credentialsKey,
    logLines: lines,
    async request(method, path, body, headers = { 'x-api-key': TEST_API_KEY }) {
      const init: RequestInit = { method, headers: { ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] = 'application/json';
      }
      const res = await app.request(path, init);
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { status: res.status, body: parsed };
    },
    async close() {
      await boss.stop({ graceful: false, wait: true, timeout: 1000 });
      if (pool !== db.pool) await pool.end();
      if (!opts.database) await db.drop();
    },
  };
}

export const clinicInput = (overrides: Record<string, unknown> = {}) => ({
  name: 'Happy Paws Veterinary',
  timezone: 'America/New_York',
  pims: { provider: 'idexx_neo', baseUrl: 'http://127.0.0.1:3200', companyId: '8890', username: 'frontdesk', password: 'Sim-Pass-2026!' },
  ...overrides,
});
