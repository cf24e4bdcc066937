import path from 'node:path';
import pg from 'pg';
import { createPool } from './pool';
import { runMigrations, type MigrationResult } from './migrate';
import { startEmbeddedPostgres, withDatabase, type EmbeddedPostgresHandle } from './embedded';

export interface DatabaseHandle {
  connectionString: string;
  embedded: EmbeddedPostgresHandle | null;
  migrations: MigrationResult;
  stop(): Promise<void>;
}

/**
 * The product's database: DATABASE_URL when given, otherwise an embedded PostgreSQL under dataDir
 * with a `pims` database. Migrated before it is returned.
 */
export async function openDatabase(opts: {
  databaseUrl?: string;
  dataDir: string;
  port?: number;
  onLog?: (line: string) => void;
}): Promise<DatabaseHandle> {
  let embedded: EmbeddedPostgresHandle | null = null;
  let url = opts.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(opts.dataDir, 'postgres'), port: opts.port, onLog: opts.onLog });
    const admin = new pg.Client({ connectionString: embedded.connectionString });
    await admin.connect();
    const { rowCount } = await admin.query(`select 1 from pg_database where datname = 'pims'`);
    if (!rowCount) await admin.query('create database pims');
    await admin.end();
    url = withDatabase(embedded.connectionString, 'pims');
  }
  const pool = createPool(url, { max: 2, applicationName: 'pims-migrate' });
  let migrations: MigrationResult;
  try {
    migrations = await runMigrations(pool);
  } finally {
    await pool.end();
  }
  return {
    connectionString: url,
    embedded,
    migrations,
    async stop() {
      await embedded?.stop();
    },
  };
}
