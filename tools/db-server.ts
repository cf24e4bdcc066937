/**
 * The embedded PostgreSQL of `npm start`, in a process (and process group) of its own, so that a
 * Ctrl-C in the terminal reaches only the start script, which stops the services first and the
 * database last. Prints `READY <connection string>` when migrated; stops on SIGTERM/SIGINT.
 */
import { openDatabase } from '@pims/db';

const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write('usage: db-server.ts <data dir>\n');
  process.exit(2);
}
const db = await openDatabase({ dataDir });
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await db.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
// If the start script dies without telling us, do not outlive it.
process.on('disconnect', () => void stop());
process.stdout.write(`READY ${db.migrations.applied.length} ${db.migrations.skipped.length} ${db.connectionString}\n`);
