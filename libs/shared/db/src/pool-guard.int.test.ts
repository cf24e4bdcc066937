import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type pg from 'pg';
import { createPool, holdsConnectionOf, NestedConnectionError, withTransaction } from './pool';

/**
 * The nested-connection guard: code holding a pool connection (inside withTransaction) that asks
 * the same pool for another is refused, whatever the load, so the pattern that deadlocks a pool
 * under a burst fails in every test that runs it.
 */
describe('createPool: no second connection of a pool while holding one', () => {
  let pool: pg.Pool;
  let other: pg.Pool;

  beforeAll(async () => {
    pool = createPool(inject('pimsPgUrl'), { max: 4, applicationName: 'pims-guard-test' });
    other = createPool(inject('pimsPgUrl'), { max: 2, applicationName: 'pims-guard-test-other' });
    await pool.query(`create table if not exists guard_probe (n int)`);
  });
  afterAll(async () => {
    await pool.query(`drop table if exists guard_probe`);
    await pool.end();
    await other.end();
  });

  it('refuses pool.query inside withTransaction, and the transaction rolls back', async () => {
    const marker = Math.floor(Math.random() * 1e9);
    const attempt = withTransaction(pool, async (client) => {
      await client.query(`insert into guard_probe (n) values ($1)`, [marker]);
      // the violating call: the pool instead of the transaction's client
      await pool.query(`select count(*) from guard_probe where n = $1`, [marker]);
    });
    await expect(attempt).rejects.toBeInstanceOf(NestedConnectionError);
    const { rows } = await pool.query(`select count(*)::int as n from guard_probe where n = $1`, [marker]);
    expect(rows[0].n).toBe(0);
  });

  it('refuses pool.connect (promise and callback forms) and a nested withTransaction on the same pool', async () => {
    await expect(withTransaction(pool, async () => pool.connect())).rejects.toBeInstanceOf(NestedConnectionError);
    await expect(
      withTransaction(pool, () => new Promise((resolve, reject) => pool.connect((err, client, done) => (err ? reject(err) : (done?.(), resolve(client)))))),
    ).rejects.toBeInstanceOf(NestedConnectionError);
    await expect(withTransaction(pool, async () => withTransaction(pool, async () => 1))).rejects.toBeInstanceOf(NestedConnectionError);
    // the pool is not harmed: every connection came back
    expect(pool.totalCount - pool.idleCount).toBe(0);
  });

  it("allows the transaction's client, another pool, and the pool once the transaction is over", async () => {
    let later: Promise<unknown> | null = null;
    let txOver!: () => void;
    const over = new Promise<void>((r) => (txOver = r));
    const inside = await withTransaction(pool, async (client) => {
      expect(holdsConnectionOf(pool)).toBe(true);
      expect(holdsConnectionOf(other)).toBe(false);
      const a = (await client.query('select 1 as v')).rows[0].v;
      const b = (await other.query('select 2 as v')).rows[0].v;
      // work started inside the transaction that runs after it ended may use the pool
      later = over.then(async () => (await pool.query('select 3 as v')).rows[0].v);
      return [a, b];
    });
    expect(inside).toEqual([1, 2]);
    expect(holdsConnectionOf(pool)).toBe(false);
    txOver();
    await expect(later).resolves.toBe(3);
  });

  it('with a callback (production), reports the violation and lets the query go on', async () => {
    const reported: NestedConnectionError[] = [];
    const lenient = createPool(inject('pimsPgUrl'), { max: 2, onNestedConnection: (err) => reported.push(err) });
    try {
      const v = await withTransaction(lenient, async () => (await lenient.query('select 4 as v')).rows[0].v);
      expect(v).toBe(4);
      expect(reported).toHaveLength(1);
      expect(reported[0].stack).toContain('pool-guard.int.test.ts');
    } finally {
      await lenient.end();
    }
  });
});
