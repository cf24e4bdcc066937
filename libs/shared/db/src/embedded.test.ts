import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { foldersClosedToOthers, startEmbeddedPostgres } from './embedded';

const isRoot = process.getuid?.() === 0;
const base = mkdtempSync(path.join(os.tmpdir(), 'pims-closed-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('embedded PostgreSQL as root', () => {
  it('finds folders the postgres user cannot enter', () => {
    const closed = path.join(base, 'closed');
    mkdirSync(path.join(closed, 'inner'), { recursive: true });
    chmodSync(base, 0o755);
    chmodSync(closed, 0o700);
    expect(foldersClosedToOthers(path.join(closed, 'inner', 'data'))).toEqual([closed]);
    chmodSync(closed, 0o755);
    expect(foldersClosedToOthers(path.join(closed, 'inner', 'data'))).toEqual([]);
  });

  // Only root starts the server as another user; other users run it as themselves.
  it.runIf(isRoot)('fails at once, saying what to do, when the data folder sits under a closed folder', async () => {
    const closed = path.join(base, 'private');
    mkdirSync(closed, { recursive: true });
    chmodSync(closed, 0o700);
    const started = Date.now();
    const err = await startEmbeddedPostgres({ dataDir: path.join(closed, 'pg') }).catch((e) => e);
    expect(err).toMatchObject({ code: 'embedded_postgres_unreachable' });
    expect(err.message).toContain(`chmod o+x ${closed}`);
    expect(err.message).toContain('DATABASE_URL');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
