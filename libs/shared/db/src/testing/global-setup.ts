import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, withDatabase } from '../embedded';
import { createPool } from '../pool';
import { runMigrations } from '../migrate';
import './provided-context';

export const TEMPLATE_DB = 'pims_template';


/**
 * One PostgreSQL per test run: started here (or DATABASE_URL_TEST when given), a template database
 * migrated once; each test file clones it (see createTestDatabase).
 */
export default async function setup(project: TestProject) {
  let stop = async () => undefined as void;
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pims-test-pg-'));
    chmodSync(dir, 0o755);
    const pgh = await startEmbeddedPostgres({ dataDir: dir, ephemeral: true });
    serverUrl = pgh.connectionString;
    stop = async () => {
      await pgh.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${TEMPLATE_DB}`);
  await admin.query(`create database ${TEMPLATE_DB}`);
  await admin.end();
  const pool = createPool(withDatabase(serverUrl, TEMPLATE_DB), { max: 1 });
  await runMigrations(pool);
  await pool.end();
  project.provide('pimsPgUrl', serverUrl);
  return async () => {
    await stop();
  };
}
