import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@pims/db/testing';
import { leaseKeys, RunLeases, type Lease } from './run-lease';

/** Run leases on a real PostgreSQL: keyed by 64 bits of the sync id, told apart in pg_locks. */

let db: TestDatabase;
let leases: RunLeases;
const held: Lease[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  leases = new RunLeases(db.pool);
});

afterAll(async () => {
  for (const l of held) await l.release();
  await db?.drop();
});

async function take(syncId: string): Promise<Lease> {
  const lease = await leases.acquire(syncId);
  expect(lease, `lease of ${syncId}`).not.toBeNull();
  held.push(lease!);
  return lease!;
}

describe('run leases', () => {
  // The first key used to be the uuid's first 32 bits with the top bit dropped: these two shared one.
  const A = '0a1b2c3d-5e6f-4a1b-8c2d-000000000001';
  const B = '8a1b2c3d-5e6f-4a1b-8c2d-000000000002';
  // Same first 32 bits, different next 32.
  const C = '0a1b2c3d-5e70-4a1b-8c2d-000000000003';

  it('two syncs whose ids agree on 31 (or 32) bits have leases of their own, and isHeld tells them apart', async () => {
    const a = await take(A);
    expect(await leases.isHeld(A)).toBe(true);
    expect(await leases.isHeld(B)).toBe(false);
    expect(await leases.isHeld(C)).toBe(false);
    const b = await take(B);
    const c = await take(C);
    expect([await leases.isHeld(A), await leases.isHeld(B), await leases.isHeld(C)]).toEqual([true, true, true]);
    await a.release();
    expect([await leases.isHeld(A), await leases.isHeld(B), await leases.isHeld(C)]).toEqual([false, true, true]);
    await b.release();
    await c.release();
    expect(await leases.isHeld(B)).toBe(false);
  });

  it('one sync has one lease: a second session cannot take it while it is held', async () => {
    const a = await take(A);
    expect(await leases.acquire(A)).toBeNull();
    await a.release();
    const again = await take(A);
    await again.release();
  });

  it('ids whose keys are negative as int4 (high bit set) work, and pg_locks shows them unsigned', async () => {
    const id = 'ffffffff-fffe-4fff-bfff-ffffffffffff';
    expect(leaseKeys(id)).toEqual([-1, 0xfffe4fff | 0]);
    const l = await take(id);
    expect(await leases.isHeld(id)).toBe(true);
    await l.release();
    expect(await leases.isHeld(id)).toBe(false);
  });

  it("a lease never takes the nightly dispatcher's key (727_102, 0), even for an id that starts with 727_102", async () => {
    const id = `${(727_102).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
    expect(leaseKeys(id)).toEqual([727_102, 0x4000]);
    const dispatcher = await db.pool.connect();
    try {
      await dispatcher.query('begin');
      expect((await dispatcher.query('select pg_try_advisory_xact_lock(727102, 0) as ok')).rows[0].ok).toBe(true);
      const l = await take(id);
      await l.release();
    } finally {
      await dispatcher.query('rollback');
      dispatcher.release();
    }
  });

  it('refuses a key that is not a sync id', () => {
    expect(() => leaseKeys('not-a-uuid')).toThrow(/uuid/);
  });
});
