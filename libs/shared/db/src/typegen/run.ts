// `npm run db:types`: migrates a scratch embedded PostgreSQL with supabase/migrations and writes
// the generated types to libs/shared/db/src/database.types.ts.
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DATABASE_TYPES_FILE, generateDatabaseTypesFromMigrations } from './generate';

const types = await generateDatabaseTypesFromMigrations();
const before = existsSync(DATABASE_TYPES_FILE) ? readFileSync(DATABASE_TYPES_FILE, 'utf8') : null;
writeFileSync(DATABASE_TYPES_FILE, types);
const where = path.relative(process.cwd(), DATABASE_TYPES_FILE);
console.log(before === types ? `${where} is up to date` : `wrote ${where}`);
