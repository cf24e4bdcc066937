import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@pims/db/testing';
import { captureLogger } from '../testing/harness';
import type PgBoss from 'pg-boss';
import { ensureQueue, LEGACY_DAILY_QUEUE_PREFIX, removeLegacyDailyQueues, RUN_QUEUE, startBoss } from './boss';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const settings = { jobExpireSeconds: 60, maintenanceSeconds: 1, retryLimit: 2, retryDelaySeconds: 1 };
const q = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows;

describe('pg-boss start-up', () => {
  it('survives several processes starting on a fresh database at once (deadlocks in its DDL are retried)', async () => {
    const { logger } = captureLogger();
    const bosses: PgBoss[] = await Promise.all(Array.from({ length: 4 }, () => startBoss(db.pool, db.connectionString, settings, logger)));
    try {
      for (const b of bosses) expect(await b.getQueue(RUN_QUEUE)).toMatchObject({ name: RUN_QUEUE, expireInSeconds: 60 });
      // and several queues created at once by all of them while they poll
      const names = Array.from({ length: 5 }, (_, i) => `pims-sync-test-${i}`);
      await Promise.all(bosses.flatMap((b) => names.map((name) => ensureQueue(b, db.pool, { name, policy: 'standard' }))));
      for (const name of names) expect(await bosses[0].getQueue(name)).not.toBeNull();
      // pg-boss's cron is off: nothing is scheduled by pims-sync any more.
      expect(await q(`select name from pgboss.schedule`)).toEqual([]);
    } finally {
      await Promise.all(bosses.map((b) => b.stop({ graceful: false, wait: true, timeout: 1000 })));
    }
  });
});

describe('the per-clinic daily queues of older versions', () => {
  it('are unscheduled and deleted, with their waiting jobs, by processes starting together; other queues stay', async () => {
    const { logger, lines } = captureLogger();
    const bosses: PgBoss[] = await Promise.all(Array.from({ length: 3 }, () => startBoss(db.pool, db.connectionString, settings, logger)));
    try {
      // What an older version left: a queue and a cron schedule per clinic, one job waiting.
      const legacy = Array.from({ length: 4 }, (_, i) => `${LEGACY_DAILY_QUEUE_PREFIX}00000000-0000-4000-8000-00000000000${i}`);
      for (const name of legacy) {
        await bosses[0].createQueue(name, { name, policy: 'standard' });
        await bosses[0].schedule(name, '0 2 * * *', { clinicId: name.slice(LEGACY_DAILY_QUEUE_PREFIX.length) }, { tz: 'America/New_York' });
      }
      await bosses[0].send(legacy[0], { clinicId: 'x' });
      await ensureQueue(bosses[0], db.pool, { name: 'pims-sync-other', policy: 'standard' });
      expect((await q(`select name from pgboss.schedule order by name`)).map((r) => r.name)).toEqual(legacy);

      const removed = await Promise.all(bosses.map((b) => removeLegacyDailyQueues(b, db.pool, logger)));
      expect(removed.reduce((a, b) => a + b, 0)).toBe(legacy.length);
      expect(await q(`select name from pgboss.schedule`)).toEqual([]);
      expect(await q(`select name from pgboss.queue where name like 'pims-sync-daily-%'`)).toEqual([]);
      expect(await q(`select count(*)::int as n from pgboss.job where name like 'pims-sync-daily-%'`)).toEqual([{ n: 0 }]);
      expect((await q(`select name from pgboss.queue order by name`)).map((r) => r.name)).toEqual(expect.arrayContaining([RUN_QUEUE, 'pims-sync-other']));
      expect(lines.filter((l) => l.includes('removed the per-clinic daily queues'))).toHaveLength(1);

      // Once gone, a start finds nothing to do.
      expect(await removeLegacyDailyQueues(bosses[1], db.pool, logger)).toBe(0);
    } finally {
      await Promise.all(bosses.map((b) => b.stop({ graceful: false, wait: true, timeout: 1000 })));
    }
  });
});
