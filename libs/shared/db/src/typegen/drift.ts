import { DB_TYPES_COMMAND } from './generate';

const FILE = 'libs/shared/db/src/database.types.ts';

/**
 * Compares the committed types with freshly generated ones: null when they are the same, else the
 * message the drift check fails with (where they first differ, and the command that fixes it).
 */
export function typesDrift(committed: string | null, generated: string): string | null {
  if (committed === generated) return null;
  const fix = `Run \`${DB_TYPES_COMMAND}\` and commit ${FILE}.`;
  if (committed === null) return `${FILE} is missing. ${fix}`;
  const a = committed.split('\n');
  const b = generated.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return (
    `${FILE} is out of date: it differs from the types the migrations in supabase/migrations generate ` +
    `(first at line ${i + 1}: committed ${JSON.stringify(a[i] ?? '<end of file>')}, generated ${JSON.stringify(b[i] ?? '<end of file>')}). ${fix}`
  );
}
