import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { banner } from './banner';
import { legacySecretsFile, loadSecrets, secretsDir, secretsFile, SECRET_NAMES, type LoadedSecrets } from './secrets';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dataDir() {
  const d = mkdtempSync(path.join(os.tmpdir(), 'pims-start-secrets-'));
  dirs.push(d);
  return path.join(d, '.data');
}
const mode = (p: string) => statSync(p).mode & 0o777;
const printed = (secrets: LoadedSecrets) =>
  banner({
    secrets,
    webUrl: 'http://127.0.0.1:3000',
    syncUrl: 'http://127.0.0.1:3100',
    simUrl: 'http://127.0.0.1:3200',
    sim: { companyId: '8890', username: 'frontdesk' },
    ezyvet: { url: 'http://127.0.0.1:3300', clientId: 'harbour-vets', clinic: 'Harbour Vets' },
    bind: '127.0.0.1',
    database: 'embedded PostgreSQL',
  });

describe('npm start secrets', () => {
  it('generates the missing secrets into a new 0600 file in a 0700 folder, and prints them', () => {
    const dir = dataDir();
    const s = loadSecrets(dir, {});
    expect(s.generated).toEqual([...SECRET_NAMES]);
    expect(s.file).toBe(path.join(dir, 'secrets', 'secrets.json'));
    expect(mode(secretsDir(dir))).toBe(0o700);
    expect(mode(s.file)).toBe(0o600);
    expect(JSON.parse(readFileSync(s.file, 'utf8'))).toEqual(s.values);
    expect(s.values.PIMS_SYNC_API_KEY).toMatch(/^[0-9a-f]{48}$/);
    const out = printed(s);
    expect(out).toContain(`Admin login:      admin@example.com / ${s.values.ADMIN_PASSWORD}`);
    expect(out).toContain(`x-api-key: ${s.values.PIMS_SYNC_API_KEY}`);
    expect(out).toContain(`Generated and kept in ${s.file}: PIMS_SYNC_API_KEY, CREDENTIALS_KEY`);
    expect(s.values.VAPI_SECRET).toMatch(/^[0-9a-f]{48}$/);
    expect(s.values.VAPI_SECRET).not.toBe(s.values.PIMS_SYNC_API_KEY);
    expect(out).toContain(`Vapi tool calls:  http://127.0.0.1:3100/api/vapi/tool-calls  (header x-vapi-secret: ${s.values.VAPI_SECRET})`);
    // The data folder itself stays enterable: as root the embedded PostgreSQL's `postgres` user
    // must reach <data dir>/postgres.
    expect(mode(dir) & 0o001).toBe(0o001);
  });

  it('never prints nor saves a secret given by the environment', () => {
    const dir = dataDir();
    const env = { PIMS_SYNC_API_KEY: 'env-api-key-0123456789abcdef', ADMIN_PASSWORD: 'Env-Password-42', CREDENTIALS_KEY: '', VAPI_SECRET: 'env-vapi-secret-0123456789abcdef' };
    const s = loadSecrets(dir, env);
    expect(s.values.PIMS_SYNC_API_KEY).toBe(env.PIMS_SYNC_API_KEY);
    expect(s.source).toMatchObject({ PIMS_SYNC_API_KEY: 'environment', ADMIN_PASSWORD: 'environment', CREDENTIALS_KEY: 'generated' });
    const out = printed(s);
    expect(out).not.toContain(env.PIMS_SYNC_API_KEY);
    expect(out).not.toContain(env.ADMIN_PASSWORD);
    expect(out).toContain('Admin login:      admin@example.com / (ADMIN_PASSWORD from the environment)');
    expect(out).toContain('x-api-key: (PIMS_SYNC_API_KEY from the environment)');
    expect(out).not.toContain(env.VAPI_SECRET);
    expect(out).toContain('x-vapi-secret: (VAPI_SECRET from the environment)');
    const file = readFileSync(s.file, 'utf8');
    expect(file).not.toContain(env.PIMS_SYNC_API_KEY);
    expect(file).not.toContain(env.ADMIN_PASSWORD);
    expect(file).not.toContain(env.VAPI_SECRET);
    expect(s.generated).toEqual(['CREDENTIALS_KEY', 'AUTH_JWT_SECRET', 'ADMIN_EMAIL']);
  });

  it('keeps and prints the saved secrets on a second start, generating nothing', () => {
    const dir = dataDir();
    const first = loadSecrets(dir, {});
    const again = loadSecrets(dir, {});
    expect(again.values).toEqual(first.values);
    expect(again.generated).toEqual([]);
    expect(again.source.ADMIN_PASSWORD).toBe('saved');
    const out = printed(again);
    expect(out).toContain(`/ ${first.values.ADMIN_PASSWORD}`);
    expect(out).not.toContain('Generated and kept in');
    // The environment still wins over a saved value, and is still not printed.
    const overridden = loadSecrets(dir, { ADMIN_PASSWORD: 'From-Env-1' });
    expect(overridden.values.ADMIN_PASSWORD).toBe('From-Env-1');
    expect(printed(overridden)).not.toContain('From-Env-1');
    expect(printed(overridden)).not.toContain(first.values.ADMIN_PASSWORD);
  });

  it('tightens an existing 0644 secrets.json to 0600 and its folder to 0700', () => {
    const dir = dataDir();
    const first = loadSecrets(dir, {});
    chmodSync(first.file, 0o644);
    chmodSync(secretsDir(dir), 0o755);
    const again = loadSecrets(dir, {});
    expect(again.generated).toEqual([]); // nothing rewritten: the modes are fixed in place
    expect(mode(secretsFile(dir))).toBe(0o600);
    expect(mode(secretsDir(dir))).toBe(0o700);
    expect(again.values).toEqual(first.values);
  });

  it('moves a secrets.json of an older start (<data dir>/secrets.json, 0644) into the 0700 folder as 0600', () => {
    const dir = dataDir();
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const old = { PIMS_SYNC_API_KEY: 'a'.repeat(48), CREDENTIALS_KEY: 'k', AUTH_JWT_SECRET: 'j', ADMIN_EMAIL: 'me@example.com', ADMIN_PASSWORD: 'Old-1' };
    writeFileSync(legacySecretsFile(dir), JSON.stringify(old), { mode: 0o644 });
    chmodSync(legacySecretsFile(dir), 0o644);
    const s = loadSecrets(dir, {});
    // The old secrets are kept; the one added since (VAPI_SECRET) is generated beside them.
    expect(s.values).toEqual({ ...old, VAPI_SECRET: expect.stringMatching(/^[0-9a-f]{48}$/) });
    expect(s.generated).toEqual(['VAPI_SECRET']);
    expect(existsSync(legacySecretsFile(dir))).toBe(false);
    expect(mode(secretsFile(dir))).toBe(0o600);
    expect(mode(secretsDir(dir))).toBe(0o700);
    expect(s.notes).toEqual([`moved ${legacySecretsFile(dir)} to ${secretsFile(dir)}`]);
  });

  it('leaves an old secrets.json that is no longer read at 0600 and says so', () => {
    const dir = dataDir();
    const current = loadSecrets(dir, {});
    writeFileSync(legacySecretsFile(dir), JSON.stringify({ ADMIN_PASSWORD: 'Stale-1' }), { mode: 0o644 });
    chmodSync(legacySecretsFile(dir), 0o644);
    const s = loadSecrets(dir, {});
    expect(s.values).toEqual(current.values);
    expect(mode(legacySecretsFile(dir))).toBe(0o600);
    expect(s.notes[0]).toContain('is no longer read');
  });

  it('refuses a secrets.json that is not a JSON object, naming the file', () => {
    const dir = dataDir();
    mkdirSync(secretsDir(dir), { recursive: true });
    writeFileSync(secretsFile(dir), '{ not json');
    expect(() => loadSecrets(dir, {})).toThrow(secretsFile(dir));
  });
});
