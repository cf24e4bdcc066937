import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type PgBoss from 'pg-boss';
import type pg from 'pg';
import { createPool } from '@pims/db';
import { createTestDatabase, type TestDatabase } from '@pims/db/testing';
import { createPimsRegistry } from '@pims/pims';
import { createFakePimsProvider, fakeAppointment, type FakePimsProvider } from '@pims/pims/testing';
import { AuditsRepository, ClinicsRepository, SyncOrchestrator } from '@pims/sync-data-access';
import { addDays, generateEncryptionKey, parseEncryptionKey, systemClock, todayIn } from '@pims/util';
import { createLogger, type ServiceLogger } from '../logger';
import { SyncService } from '../services/sync-service';
import { waitFor } from '../testing/e2e';
import { RUN_QUEUE, startBoss, type BossSettings, type RunJobData } from './boss';
import { orphanReason, Recovery } from './recovery';
import { RunLeases } from './run-lease';
import { SyncWorkers } from './sync-worker';

/**
 * Worker-lost recovery on a real PostgreSQL and pg-boss, in one process: the "dead worker" is a raw
 * pg-boss fetch that takes a job and never takes its lease (as a process killed right after taking
 * it), or a sync set in progress with no lease held (killed mid-run). The workers that finish the
 * work run the real orchestrator against the PIMS port's in-memory provider.
 */

const TZ = 'America/New_York';
const PASSWORD = 'Fake-Pass-2026!';
let db: TestDatabase;
let pool: pg.Pool;
let boss: PgBoss;
let audits: AuditsRepository;
let clinics: ClinicsRepository;
let syncs: SyncService;
let leases: RunLeases;
let pims: FakePimsProvider;
let orchestrator: SyncOrchestrator;
let logger: ServiceLogger;
const logLines: string[] = [];
const workers: SyncWorkers[] = [];
const q = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows;

/** Recovery with a stale window of `staleSeconds` (0: a taken job counts as abandoned at once). */
const recovery = (staleSeconds: number, maxAttempts = 3) =>
  new Recovery({ audits, leases, syncs, logger, settings: { maxAttempts, staleSeconds, sweepSeconds: 3600 } });

let clinicSeq = 0;
async function addClinic(): Promise<string> {
  const username = `desk-${++clinicSeq}`;
  const today = todayIn(TZ, systemClock);
  pims.setClinic({
    username,
    password: PASSWORD,
    appointments: [
      fakeAppointment({ id: `${username}-a1`, date: addDays(today, -1), time: '09:00', timezone: TZ, status: 'completed' }),
      fakeAppointment({ id: `${username}-a2`, date: addDays(today, 3), time: '10:00', timezone: TZ }),
    ],
  });
  const { id } = await clinics.create({
    name: `Clinic ${username}`,
    timezone: TZ,
    pims: { provider: 'idexx_neo', baseUrl: 'https://pims.example', companyId: null, username, password: PASSWORD },
    schedule: { openTime: '08:00', closeTime: '18:00', daysOfWeek: [1, 2, 3, 4, 5, 6, 7], slotDurationMinutes: 30, capacity: 2 },
  });
  return id;
}

const trigger = (clinicId: string) => syncs.enqueue({ clinicId, syncType: 'full', options: {}, triggeredBy: 'api' });

/** A worker process that takes the job from pg-boss and dies before it does anything else. */
async function takeJobAndDie(syncId: string): Promise<void> {
  const jobs = await boss.fetch<RunJobData>(RUN_QUEUE, { batchSize: 10 });
  expect(jobs.map((j) => j.id)).toContain(syncId);
  expect((await leases.jobsOf([syncId])).get(syncId)?.state).toBe('active');
}

const audit = async (id: string) => (await audits.findById(id))!;
const attemptsOf = (id: string) => q(`select id, status, attempt, retry_of from public.case_sync_audits where retry_of = $1`, [id]);

async function startWorkers(): Promise<SyncWorkers> {
  const recov = recovery(3600);
  const w = new SyncWorkers({
    boss,
    audits,
    leases,
    syncs,
    recovery: recov,
    runner: orchestrator,
    logger,
    settings: { concurrency: 1, pollSeconds: 0.5, maxAttempts: 3, retryDelaySeconds: 1 },
  });
  await w.start();
  workers.push(w);
  return w;
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.connectionString, { max: 20, applicationName: 'pims-sync-recovery-test' });
  logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk, _enc, cb) {
        logLines.push(String(chunk));
        cb();
      },
    }),
  });
  const key = parseEncryptionKey(generateEncryptionKey());
  boss = await startBoss(
    pool,
    db.connectionString,
    // schedule and cronMonitorSeconds: what startBoss took before pg-boss's own cron was switched off.
    { schedule: false, cronMonitorSeconds: 30, jobExpireSeconds: 3600, maintenanceSeconds: 3600, retryLimit: 2, retryDelaySeconds: 1 } as BossSettings,
    logger,
  );
  audits = new AuditsRepository(pool);
  clinics = new ClinicsRepository(pool, key);
  syncs = new SyncService({ pool, boss, audits, logger, jobExpireSeconds: 3600 });
  leases = new RunLeases(pool);
  pims = createFakePimsProvider({ name: 'idexx_neo' });
  orchestrator = new SyncOrchestrator({ pool, registry: createPimsRegistry([pims]), credentialsKey: key, progressIntervalMs: 20 });
});

beforeEach(async () => {
  // Each test starts the workers it needs, and finds no sync or waiting job of an earlier test.
  for (const w of workers.splice(0)) await w.shutdown(5000);
  const left = await audits.findActive();
  for (const a of left) await audits.failActive(a.id, { code: 'test_cleanup', message: 'Ended between tests' });
  if (left.length) await boss.cancel(RUN_QUEUE, left.map((a) => a.id));
});

afterAll(async () => {
  for (const w of workers.splice(0)) await w.shutdown(5000);
  await boss?.stop({ graceful: false, wait: true, timeout: 1000 });
  await orchestrator?.close();
  await pool?.end();
  await db?.drop();
});

describe('a sync whose job was taken by a worker that died before starting it', () => {
  it('is left alone within the stale window, then recovered by the sweep, and the new attempt completes', async () => {
    const clinicId = await addClinic();
    const lost = await trigger(clinicId);
    await takeJobAndDie(lost.id);

    // Within the window a taken job is its worker's (it may be about to take the lease).
    expect(await recovery(3600).sweep()).toBe(0);
    expect((await audit(lost.id)).status).toBe('queued');
    // The clinic is blocked meanwhile: one active sync per clinic.
    await expect(trigger(clinicId)).rejects.toMatchObject({ code: 'sync_in_progress' });

    // Past the window, with no lease held: the worker is gone.
    expect(await recovery(0).sweep()).toBe(1);
    expect(await audit(lost.id)).toMatchObject({ status: 'failed', errorCode: 'worker_lost', attempt: 1 });
    const [next] = await attemptsOf(lost.id);
    expect(next).toMatchObject({ status: 'queued', attempt: 2, retry_of: lost.id });
    // A second sweep (or another process's) finds nothing left to do.
    expect(await recovery(0).sweep()).toBe(0);
    expect(await attemptsOf(lost.id)).toHaveLength(1);

    await startWorkers();
    const done = await waitFor('the new attempt to finish', async () => {
      const a = await audit(next.id);
      return a.status !== 'queued' && a.status !== 'in_progress' ? a : null;
    });
    expect(done).toMatchObject({ status: 'completed', retryOf: lost.id, attempt: 2 });
    expect((await q(`select count(*)::int as n from public.cases where clinic_id = $1`, [clinicId]))[0].n).toBe(1);
    expect((await q(`select count(*)::int as n from public.case_sync_audits where status in ('queued', 'in_progress')`))[0].n).toBe(0);
  });

  it('is not recovered while a live worker holds its lease (taken the job, not started yet)', async () => {
    const clinicId = await addClinic();
    const s = await trigger(clinicId);
    await takeJobAndDie(s.id);
    const lease = await leases.acquire(s.id); // the worker is alive after all
    expect(lease).not.toBeNull();
    try {
      expect(await recovery(0).sweep()).toBe(0);
      expect((await audit(s.id)).status).toBe('queued');
      expect(await attemptsOf(s.id)).toEqual([]);
    } finally {
      await lease!.release();
    }
    expect(await recovery(0).sweep()).toBe(1);
    expect((await audit(s.id)).errorCode).toBe('worker_lost');
  });

  it('a queued sync whose job waits (startAfter) is left to pg-boss; one whose job ended or is gone is recovered', async () => {
    const waiting = await syncs.enqueue({ clinicId: await addClinic(), syncType: 'full', options: {}, triggeredBy: 'api', startAfterSeconds: 3600 });
    const ended = await trigger(await addClinic());
    const gone = await trigger(await addClinic());
    await boss.cancel(RUN_QUEUE, ended.id); // its job ended, the audit did not
    await boss.deleteJob(RUN_QUEUE, gone.id);
    const jobs = await leases.jobsOf([waiting.id, ended.id, gone.id]);
    expect([jobs.get(waiting.id)?.state, jobs.get(ended.id)?.state, jobs.has(gone.id)]).toEqual(['created', 'cancelled', false]);

    expect(await recovery(0).sweep()).toBe(2);
    expect((await audit(waiting.id)).status).toBe('queued');
    expect(await audit(ended.id)).toMatchObject({ status: 'failed', errorCode: 'worker_lost' });
    expect(await audit(gone.id)).toMatchObject({ status: 'failed', errorCode: 'worker_lost' });
    expect((await attemptsOf(ended.id)).map((a) => a.attempt)).toEqual([2]);
    expect((await attemptsOf(gone.id)).map((a) => a.attempt)).toEqual([2]);
    await syncs.cancel(waiting.id);
  });

  it('the rule: which job states mean nobody will run the sync', () => {
    expect(orphanReason({ state: 'created', activeForSeconds: null }, 30)).toBeNull();
    expect(orphanReason({ state: 'retry', activeForSeconds: 500 }, 30)).toBeNull();
    expect(orphanReason({ state: 'active', activeForSeconds: 29 }, 30)).toBeNull();
    expect(orphanReason({ state: 'active', activeForSeconds: 31 }, 30)).toMatch(/stopped before it started/);
    for (const state of ['completed', 'failed', 'cancelled'] as const) expect(orphanReason({ state, activeForSeconds: 1 }, 30)).toMatch(/ended/);
    expect(orphanReason(undefined, 30)).toMatch(/gone/);
  });
});

describe('a running sync whose worker died', () => {
  /** Sets the sync in progress as a worker would, then "dies": no lease is held. */
  async function startAndDie(syncId: string): Promise<void> {
    expect(await audits.markStarted(syncId, [])).not.toBeNull();
    expect(await leases.isHeld(syncId)).toBe(false);
  }

  it('is marked worker_lost and queued again as a new attempt', async () => {
    const s = await trigger(await addClinic());
    await takeJobAndDie(s.id);
    await startAndDie(s.id);
    expect(await recovery(3600).sweep()).toBe(1); // a running sync with a free lease needs no waiting
    expect(await audit(s.id)).toMatchObject({ status: 'failed', errorCode: 'worker_lost' });
    expect(await attemptsOf(s.id)).toMatchObject([{ status: 'queued', attempt: 2 }]);
  });

  it('with a cancel requested: ends cancelled, and is not run again (sweep)', async () => {
    const clinicId = await addClinic();
    const s = await trigger(clinicId);
    await takeJobAndDie(s.id);
    await startAndDie(s.id);
    const cancel = await syncs.cancel(s.id);
    expect(cancel.audit).toMatchObject({ status: 'in_progress' });
    expect(cancel.audit.cancelRequestedAt).not.toBeNull();

    expect(await recovery(3600).sweep()).toBe(1);
    expect(await audit(s.id)).toMatchObject({ status: 'cancelled', errorCode: 'cancelled' });
    expect((await audit(s.id)).completedAt).not.toBeNull();
    expect(await attemptsOf(s.id)).toEqual([]);
    // The clinic is free again.
    const again = await trigger(clinicId);
    await syncs.cancel(again.id);
  });

  it('with a cancel requested: ends cancelled when its job comes back to a worker (pg-boss expiry)', async () => {
    const s = await trigger(await addClinic());
    // Never fetched: the job is still waiting, as after pg-boss's expiry put it back for a retry.
    await startAndDie(s.id);
    await syncs.cancel(s.id);
    await startWorkers();
    const ended = await waitFor('the worker to end the lost sync', async () => {
      const a = await audit(s.id);
      return a.status !== 'in_progress' ? a : null;
    });
    expect(ended).toMatchObject({ status: 'cancelled', errorCode: 'cancelled' });
    expect(await attemptsOf(s.id)).toEqual([]);
    expect(logLines.some((l) => l.includes(s.id) && l.includes('sync starting'))).toBe(false);
  });

  it('a cancel that lands after recovery read the sync is still honoured (decided in one statement)', async () => {
    const s = await trigger(await addClinic());
    await startAndDie(s.id);
    const seen = await audit(s.id); // what recovery read: no cancel yet
    expect(seen.cancelRequestedAt).toBeNull();
    await syncs.cancel(s.id);
    const lease = await leases.acquire(s.id);
    try {
      expect(await recovery(0).recoverLost(seen, 'test')).toEqual({ ended: 'cancelled', next: null });
    } finally {
      await lease!.release();
    }
    expect(await attemptsOf(s.id)).toEqual([]);
  });
});
