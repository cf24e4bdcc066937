import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@pims/db/testing';
import { captureLogger } from '../testing/harness';
import type PgBoss from 'pg-boss';
import { ensureQueue, RUN_QUEUE, startBoss } from './boss';
import { dailyQueueName } from './schedules';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('pg-boss start-up', () => {
  it('survives several processes starting on a fresh database at once (deadlocks in its DDL are retried)', async () => {
    const { logger } = captureLogger();
    const settings = { schedule: true, jobExpireSeconds: 60, maintenanceSeconds: 1, cronMonitorSeconds: 1, retryLimit: 2, retryDelaySeconds: 1 };
    const bosses: PgBoss[] = await Promise.all(Array.from({ length: 4 }, () => startBoss(db.pool, db.connectionString, settings, logger)));
    try {
      for (const b of bosses) expect(await b.getQueue(RUN_QUEUE)).toMatchObject({ name: RUN_QUEUE, expireInSeconds: 60 });
      // and several clinics' queues created at once by all of them while they poll
      const names = Array.from({ length: 5 }, (_, i) => dailyQueueName(`00000000-0000-4000-8000-00000000000${i}`));
      await Promise.all(bosses.flatMap((b) => names.map((name) => ensureQueue(b, db.pool, { name, policy: 'standard' }))));
      for (const name of names) expect(await bosses[0].getQueue(name)).not.toBeNull();
    } finally {
      await Promise.all(bosses.map((b) => b.stop({ graceful: false, wait: true, timeout: 1000 })));
    }
  });
});
