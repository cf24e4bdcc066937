// The answer of a failed test log-in never carries the password, whatever the provider's error says
// (the real log-in against the simulator is in settings.int.test.ts).
import { describe, expect, it } from 'vitest';
import { createPimsRegistry, pimsAuthFailed, type PimsProvider } from '@pims/pims';
import type { ClinicRecord, ClinicsRepository } from '@pims/sync-data-access';
import { testPimsConnection } from './test-connection';

const PASSWORD = 'p@ss word/2026';
const clinic = { id: 'c1', pimsProvider: 'idexx_neo', timezone: 'UTC' } as ClinicRecord;
const clinics = { getCredentials: async () => ({ baseUrl: 'https://neo.example', username: 'desk', password: PASSWORD }) } as unknown as ClinicsRepository;

const failing = (err: unknown): PimsProvider => ({
  name: 'idexx_neo',
  authenticate: async () => {
    throw err;
  },
  close: async () => undefined,
});

describe('testPimsConnection', () => {
  it('answers the error code with the password (plain or URL-encoded) redacted from the message', async () => {
    const err = pimsAuthFailed(`Log-in refused for desk:${PASSWORD} at https://neo.example/login?pw=${encodeURIComponent(PASSWORD)}`);
    const out = await testPimsConnection(createPimsRegistry([failing(err)]), clinics, clinic);
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.error.code).toBe('pims_auth_failed');
    expect(out.error.message).toContain('[redacted]');
    expect(out.error.message).not.toContain(PASSWORD);
    expect(out.error.message).not.toContain(encodeURIComponent(PASSWORD));
  });

  it('an error that is not an AppError is answered without its text; a provider not registered is pims_provider_unknown', async () => {
    const out = await testPimsConnection(createPimsRegistry([failing(new Error(`boom ${PASSWORD}`))]), clinics, clinic);
    expect(out).toEqual({ ok: false, error: { code: 'internal_error', message: 'Unexpected internal error' } });
    const none = await testPimsConnection(createPimsRegistry([]), clinics, clinic);
    expect(none.ok === false && none.error.code).toBe('pims_provider_unknown');
  });

  it('closes the session of a log-in that worked', async () => {
    let closed = 0;
    const ok: PimsProvider = {
      name: 'idexx_neo',
      authenticate: async () => ({ close: async () => void closed++ }) as never,
      close: async () => undefined,
    };
    expect(await testPimsConnection(createPimsRegistry([ok]), clinics, clinic)).toEqual({ ok: true });
    expect(closed).toBe(1);
  });
});
