import { credentialSecrets, type PimsCredentials, type PimsProviderName, type PimsRegistry, type PimsSession } from '@pims/pims';
import type { TestConnectionOutput } from '@pims/sync-contracts';
import type { ClinicRecord, ClinicsRepository } from '@pims/sync-data-access';
import { describeError } from '@pims/util';

/** How long a test log-in may take before it is answered as pims_unavailable. */
export const TEST_CONNECTION_TIMEOUT_MS = 60_000;

/**
 * A real log-in to the clinic's PIMS through its provider in the registry, with the stored
 * credentials; the session is closed at once. Any failure is the answer, not an error: its code and
 * a message that never contains the password (nor its URL-encoded form).
 */
export async function testPimsConnection(
  registry: PimsRegistry,
  clinics: ClinicsRepository,
  clinic: ClinicRecord,
  timeoutMs = TEST_CONNECTION_TIMEOUT_MS,
): Promise<TestConnectionOutput> {
  const credentials = await clinics.getCredentials(clinic.id);
  if (!credentials) return { ok: false, error: { code: 'clinic_not_found', message: 'No clinic with this id' } };
  return testPimsLogin(registry, clinic.pimsProvider, credentials, clinic.timezone, timeoutMs);
}

/**
 * A real log-in through the provider with the given credentials (saved or not), the session closed
 * at once: `POST /api/clinics/:id/test-connection` with the stored ones, `POST
 * /api/clinics/test-connection` with a form's before it is saved. Failures are the answer.
 */
export async function testPimsLogin(
  registry: PimsRegistry,
  provider: PimsProviderName,
  credentials: PimsCredentials,
  timezone: string,
  timeoutMs = TEST_CONNECTION_TIMEOUT_MS,
): Promise<TestConnectionOutput> {
  const secrets = credentialSecrets(credentials);
  let session: PimsSession | null = null;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    session = await registry.get(provider).authenticate(credentials, { timezone, signal });
    return { ok: true };
  } catch (err) {
    if (signal.aborted) return { ok: false, error: { code: 'pims_unavailable', message: `The PIMS did not let us log in within ${Math.round(timeoutMs / 1000)} s` } };
    return { ok: false, error: describeError(err, secrets) };
  } finally {
    await session?.close().catch(() => undefined);
  }
}
