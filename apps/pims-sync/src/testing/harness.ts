import { Writable } from 'node:stream';
import type PgBoss from 'pg-boss';
import { createTestDatabase, type TestDatabase } from '@pims/db/testing';
import { AuditsRepository, ClinicsRepository } from '@pims/sync-data-access';
import { generateEncryptionKey, parseEncryptionKey } from '@pims/util';
import { createApp } from '../app';
import { createLogger, type ServiceLogger } from '../logger';
import { RUN_QUEUE, startBoss } from '../queue/boss';
import { ClinicSchedules } from '../queue/schedules';
import { SyncService } from '../services/sync-service';

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

export interface ApiHarness {
  db: TestDatabase;
  boss: PgBoss;
  app: ReturnType<typeof createApp>;
  audits: AuditsRepository;
  clinics: ClinicsRepository;
  syncs: SyncService;
  credentialsKey: Buffer;
  logLines: string[];
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

/** The API on a fresh database with a real pg-boss (no workers): what the contract tests talk to. */
export async function startApiHarness(): Promise<ApiHarness> {
  const db = await createTestDatabase();
  const { logger, lines } = captureLogger();
  const credentialsKey = parseEncryptionKey(generateEncryptionKey());
  const boss = await startBoss(
    db.pool,
    db.connectionString,
    { schedule: false, jobExpireSeconds: 600, maintenanceSeconds: 600, cronMonitorSeconds: 30, retryLimit: 2, retryDelaySeconds: 1 },
    logger,
  );
  const audits = new AuditsRepository(db.pool);
  const clinics = new ClinicsRepository(db.pool, credentialsKey);
  const syncs = new SyncService({ pool: db.pool, boss, audits, logger, jobExpireSeconds: 600 });
  const schedules = new ClinicSchedules({ boss, pool: db.pool, clinics, syncs, logger, settings: { consume: false, pollSeconds: 30, refreshSeconds: 60 } });
  const app = createApp({
    apiKey: TEST_API_KEY,
    logger,
    clinics,
    audits,
    syncs,
    schedules,
    health: {
      database: async () => (await db.pool.query('select 1 as ok')).rows[0]?.ok === 1,
      queue: async () => ((await boss.getQueue(RUN_QUEUE)) ? 'ok' : 'error'),
    },
  });
  return {
    db,
    boss,
    app,
    audits,
    clinics,
    syncs,
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
      await db.drop();
    },
  };
}

export const clinicInput = (overrides: Record<string, unknown> = {}) => ({
  name: 'Happy Paws Veterinary',
  timezone: 'America/New_York',
  pims: { provider: 'idexx_neo', baseUrl: 'http://127.0.0.1:3200', companyId: '8890', username: 'frontdesk', password: 'Sim-Pass-2026!' },
  ...overrides,
});
