import { describe, expect, it } from 'vitest';
import { EnvError, loadEnv } from './env';

const KEY = Buffer.alloc(32, 7).toString('base64');

describe('loadEnv', () => {
  it('applies the defaults', () => {
    const env = loadEnv({ PIMS_SYNC_API_KEY: 'a-long-enough-api-key', CREDENTIALS_KEY: KEY });
    expect(env).toMatchObject({ port: 3100, role: 'all', databaseUrl: undefined, logLevel: 'info', apiKey: 'a-long-enough-api-key' });
    expect(env.credentialsKey.length).toBe(32);
    expect(env.dataDir.endsWith('.data')).toBe(true);
    expect(env.queue).toMatchObject({ workerConcurrency: 2, maxAttempts: 3, dispatchTickSeconds: 60, dispatchBatchSize: 200 });
    expect(loadEnv({ PIMS_SYNC_API_KEY: 'a-long-enough-api-key', CREDENTIALS_KEY: KEY, PIMS_SYNC_DISPATCH_TICK_SECONDS: '1' }).queue.dispatchTickSeconds).toBe(1);
  });

  it('names every missing or bad variable and says what to put in it', () => {
    let err: unknown;
    try {
      loadEnv({ PIMS_SYNC_PORT: 'eighty', PIMS_SYNC_ROLE: 'both' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EnvError);
    const text = (err as EnvError).message;
    expect(text).toMatch(/CREDENTIALS_KEY: is required/);
    expect(text).toMatch(/PIMS_SYNC_PORT/);
    expect(text).toMatch(/PIMS_SYNC_ROLE/);
  });

  it('requires the API key to serve the API, not to run a worker', () => {
    expect(() => loadEnv({ CREDENTIALS_KEY: KEY })).toThrow(/PIMS_SYNC_API_KEY: is required/);
    expect(() => loadEnv({ CREDENTIALS_KEY: KEY, PIMS_SYNC_ROLE: 'api' })).toThrow(/PIMS_SYNC_API_KEY/);
    expect(loadEnv({ CREDENTIALS_KEY: KEY, PIMS_SYNC_ROLE: 'worker' }).apiKey).toBeUndefined();
    expect(() => loadEnv({ CREDENTIALS_KEY: KEY, PIMS_SYNC_API_KEY: 'short' })).toThrow(/at least 16/);
  });

  it('refuses a credentials key that is not 32 bytes, without echoing it', () => {
    try {
      loadEnv({ CREDENTIALS_KEY: 'c2VjcmV0LXRvby1zaG9ydA==', PIMS_SYNC_API_KEY: 'a-long-enough-api-key' });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toMatch(/CREDENTIALS_KEY: must be 32 bytes/);
      expect((e as Error).message).not.toContain('c2VjcmV0LXRvby1zaG9ydA==');
    }
  });

  it('listens on loopback by default; HOST is honoured and PIMS_SYNC_HOST overrides it', () => {
    const base = { PIMS_SYNC_API_KEY: 'a-long-enough-api-key', CREDENTIALS_KEY: KEY };
    expect(loadEnv(base).host).toBe('127.0.0.1');
    expect(loadEnv({ ...base, HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadEnv({ ...base, HOST: '0.0.0.0', PIMS_SYNC_HOST: '10.0.0.5' }).host).toBe('10.0.0.5');
    expect(loadEnv({ ...base, HOST: ' ', PIMS_SYNC_HOST: '' }).host).toBe('127.0.0.1');
  });

  it('treats blank values as not given', () => {
    const env = loadEnv({ DATABASE_URL: '  ', CHROMIUM_PATH: '', PIMS_SYNC_API_KEY: 'a-long-enough-api-key', CREDENTIALS_KEY: KEY, PIMS_SYNC_PORT: '' });
    expect(env.databaseUrl).toBeUndefined();
    expect(env.chromiumPath).toBeUndefined();
    expect(env.port).toBe(3100);
  });
});
