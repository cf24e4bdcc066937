import { cpSync, mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createPool } from './pool';
import { defaultMigrationsDir, listMigrations, runMigrations } from './migrate';
import { withDatabase } from './embedded';

describe('migration runner', () => {
  const name = `m_${Date.now()}`;
  let pool: pg.Pool;
  let dir: string;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: inject('pimsPgUrl') });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    pool = createPool(withDatabase(inject('pimsPgUrl'), name), { max: 2 });
    dir = mkdtempSync(path.join(os.tmpdir(), 'pims-migrations-'));
    cpSync(defaultMigrationsDir(), dir, { recursive: true });
  });
  afterAll(async () => {
    await pool.end();
  });

  it('applies every migration to an empty database, in order', async () => {
    const all = listMigrations(dir).map((m) => m.name);
    expect(all.length).toBeGreaterThan(0);
    const result = await runMigrations(pool, dir);
    expect(result.applied).toEqual(all);
    expect(result.skipped).toEqual([]);
    const { rows } = await pool.query(`select to_regclass('public.cases') as t`);
    expect(rows[0].t).toBe('cases');
  });

  it('is a no-op the second time', async () => {
    const result = await runMigrations(pool, dir);
    expect(result.applied).toEqual([]);
    expect(result.skipped.length).toBe(listMigrations(dir).length);
  });

  it('refuses an applied migration whose file changed, and applies nothing', async () => {
    const first = listMigrations(dir)[0].name;
    const file = path.join(dir, first);
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n-- edited after landing\n`);
    writeFileSync(path.join(dir, '29991231235959_create_later_table.sql'), 'create table public.later_table (id int);');
    await expect(runMigrations(pool, dir)).rejects.toMatchObject({ code: 'migration_changed' });
    const { rows } = await pool.query(`select to_regclass('public.later_table') as t`);
    expect(rows[0].t).toBeNull();
  });

  it('takes migrations pushed with the Supabase CLI as applied (supabase_migrations.schema_migrations), and runs only the rest', async () => {
    const other = `m_push_${Date.now()}`;
    const admin = new pg.Client({ connectionString: inject('pimsPgUrl') });
    await admin.connect();
    await admin.query(`create database ${other}`);
    await admin.end();
    const pushedPool = createPool(withDatabase(inject('pimsPgUrl'), other), { max: 2 });
    try {
      const all = listMigrations(dir);
      const pushed = all.slice(0, 3);
      // What `supabase db push` leaves: the schema of the pushed files and the CLI's own record of them.
      await pushedPool.query(`create schema supabase_migrations;
        create table supabase_migrations.schema_migrations (version text primary key, statements text[], name text)`);
      for (const m of pushed) {
        await pushedPool.query(m.sql);
        await pushedPool.query('insert into supabase_migrations.schema_migrations (version, name) values ($1, $2)', [m.name.slice(0, 14), m.name.slice(15, -4)]);
      }
      const result = await runMigrations(pushedPool, dir);
      expect(result.skipped).toEqual(pushed.map((m) => m.name));
      expect(result.applied).toEqual(all.slice(3).map((m) => m.name));
      expect((await runMigrations(pushedPool, dir)).applied).toEqual([]);
    } finally {
      await pushedPool.end();
    }
  });

  it('refuses a badly named migration file', () => {
    const bad = mkdtempSync(path.join(os.tmpdir(), 'pims-bad-'));
    writeFileSync(path.join(bad, 'init.sql'), 'select 1');
    expect(() => listMigrations(bad)).toThrow(/YYYYMMDDHHMMSS/);
  });
});
