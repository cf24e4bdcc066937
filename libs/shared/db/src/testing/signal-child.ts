// Child process for embedded-signals.int.test.ts: starts an embedded PostgreSQL, then on SIGTERM
// takes its time to shut down gracefully (as pims-sync and npm start do).
import { mkdtempSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../embedded';

const dir = mkdtempSync(path.join(os.tmpdir(), 'pims-signal-'));
chmodSync(dir, 0o755);
const server = await startEmbeddedPostgres({ dataDir: dir, ephemeral: true });
process.on('SIGTERM', async () => {
  await new Promise((r) => setTimeout(r, 300));
  const c = new pg.Client({ connectionString: server.connectionString });
  await c.connect();
  const { rows } = await c.query('select 1 as still_up');
  await c.end();
  process.stdout.write(`graceful ${rows[0].still_up}\n`);
  await server.stop();
  process.exit(0);
});
process.stdout.write('ready\n');
setInterval(() => undefined, 1000);
