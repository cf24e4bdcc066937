import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { APP_DIR } from './testing/e2e';

describe('main.ts', () => {
  it('stops at once with a clear message when its environment is incomplete', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: APP_DIR,
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('pims-sync cannot start');
    expect(r.stderr).toContain('CREDENTIALS_KEY: is required');
    expect(r.stderr).toContain('PIMS_SYNC_API_KEY: is required');
  });
});
