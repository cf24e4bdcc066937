import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { AppError } from '@pims/util';

const MIGRATION_NAME = /^(\d{14})_[a-z0-9_]+\.sql$/;
const LOCK_KEY = 727_001; // advisory lock serialising migration runs across processes

export interface MigrationResult {
  applied: string[];
  skipped: string[];
}

/** The repository's supabase/migrations folder. */
export function defaultMigrationsDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'supabase', 'migrations');
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new AppError('migrations_not_found', 'Cannot find supabase/migrations above the db library');
}

export function listMigrations(dir: string): { name: string; sql: string; checksum: string }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((name) => {
      if (!MIGRATION_NAME.test(name)) {
        throw new AppError('migration_bad_name', `Migration file ${name} is not named YYYYMMDDHHMMSS_verb_object.sql`);
      }
      const sql = readFileSync(path.join(dir, name), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * Applies the migrations in order, each in its own transaction with its record. Applied files are
 * skipped; an applied file whose content changed is refused before anything runs.
 */
export async function runMigrations(pool: pg.Pool, dir = defaultMigrationsDir()): Promise<MigrationResult> {
  const migrations = listMigrations(dir);
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`create schema if not exists pims_meta`);
    await client.query(`create table if not exists pims_meta.schema_migrations (
      name text primary key, checksum text not null, applied_at timestamptz not null default now())`);
    const { rows } = await client.query<{ name: string; checksum: string }>(
      'select name, checksum from pims_meta.schema_migrations',
    );
    const done = new Map(rows.map((r) => [r.name, r.checksum]));
    // A project whose migrations were pushed with the Supabase CLI (`supabase db push`, which records
    // them in supabase_migrations.schema_migrations by version) has them already: they are recorded
    // here as applied rather than run a second time (docs/supabase.md).
    const pushed = await supabasePushedVersions(client);
    for (const m of migrations) {
      if (done.has(m.name) || !pushed.has(m.name.slice(0, 14))) continue;
      await client.query('insert into pims_meta.schema_migrations (name, checksum) values ($1, $2) on conflict (name) do nothing', [m.name, m.checksum]);
      done.set(m.name, m.checksum);
    }
    for (const m of migrations) {
      const prior = done.get(m.name);
      if (prior && prior !== m.checksum) {
        throw new AppError(
          'migration_changed',
          `Migration ${m.name} was already applied and its file has changed since. Never edit an applied migration: restore the file and add a new migration.`,
        );
      }
    }
    const result: MigrationResult = { applied: [], skipped: [] };
    for (const m of migrations) {
      if (done.has(m.name)) {
        result.skipped.push(m.name);
        continue;
      }
      try {
        await client.query('begin');
        await client.query(m.sql);
        await client.query('insert into pims_meta.schema_migrations (name, checksum) values ($1, $2)', [m.name, m.checksum]);
        await client.query('commit');
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw new AppError('migration_failed', `Migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
      }
      result.applied.push(m.name);
    }
    return result;
  } finally {
    await client.query('select pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}

/** The versions the Supabase CLI recorded as pushed (none when the CLI never pushed to this database). */
async function supabasePushedVersions(client: pg.PoolClient): Promise<Set<string>> {
  const { rows } = await client.query<{ t: string | null }>(`select to_regclass('supabase_migrations.schema_migrations')::text as t`);
  if (!rows[0]?.t) return new Set();
  const versions = await client.query<{ version: string }>('select version::text as version from supabase_migrations.schema_migrations');
  return new Set(versions.rows.map((r) => r.version));
}
