// npm start: brings up the whole product (see README). Parts not built yet say so.
import path from 'node:path';
import { openDatabase, redactConnectionString } from '@pims/db';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: path.join(root, '.data') });
console.log(`PostgreSQL: ${redactConnectionString(db.connectionString)} (migrations applied: ${db.migrations.applied.length})`);
console.log('pims-sync, simulator and web: not ready yet.');
await db.stop();
