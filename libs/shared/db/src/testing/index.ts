import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createPool } from '../pool';
import { withDatabase } from '../embedded';
import { runMigrations } from '../migrate';
import './provided-context';

export interface TestDatabase {
  connectionString: string;
  /** The server's admin URL (to create more databases). */
  serverUrl: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

export interface CreateTestDatabaseOptions {
  /** Clone this database instead of the run's migrated template. */
  template?: string;
  /**
   * SQL run on an empty database before the migrations (e.g. a hosting provider's default
   * privileges); the database is then migrated on its own instead of cloned from the template.
   */
  beforeMigrations?: string;
}

/** A fresh, migrated database cloned from the run's template: one per test file. */
export async function createTestDatabase(opts: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const serverUrl = inject('pimsPgUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    // template0: empty, so that the hook runs before anything the migrations create.
    const template = opts.beforeMigrations !== undefined ? 'template0' : (opts.template ?? 'pims_template');
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database ${name} template ${template}`);
        break;
      } catch (err) {
        // 55006: the template is briefly in use by another clone being made.
        if ((err as { code?: string }).code !== '55006' || attempt > 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await admin.end();
  }
  const connectionString = withDatabase(serverUrl, name);
  const pool = createPool(connectionString, { max: 10, applicationName: 'pims-test' });
  if (opts.beforeMigrations !== undefined) {
    await pool.query(opts.beforeMigrations);
    await runMigrations(pool);
  }
  return {
    connectionString,
    serverUrl,
    pool,
    async drop() {
      await pool.end();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
