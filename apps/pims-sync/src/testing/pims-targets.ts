// The PIMS the engine suites run over: each simulator with its real provider (IDEXX Neo in Chromium,
// ezyVet over HTTP). One suite, every PIMS, the same rules (CONTRACT sections 3 and 10).
import { createEzyvetProvider } from '@pims/ezyvet';
import { startEzyvetSimulator } from '@pims/ezyvet-sim';
import { createIdexxNeoProvider } from '@pims/idexx-neo';
import type { PimsProviderName } from '@pims/pims';
import { neoTarget, PASSWORD, type PimsTarget } from '@pims/sync-data-access/testing';

/** What a suite needs to know of a PIMS beyond the port: the simulator's words for its counters and fault paths. */
export interface PimsTestTarget extends PimsTarget {
  /** The simulator's counter of consultation reads (one per consultation asked for). */
  consultationCounter: string;
  /** A `failPaths` substring that fails every consultation read and nothing else. */
  consultationPath: string;
  /** The simulator's counter of appointment look-ups by id, when it counts them apart from the calendar reads. */
  lookupCounter?: string;
  /** The write side in the simulator's words. */
  writes: {
    /** Stats counters of an appointment, client and patient created. */
    createAppointment: string;
    createClient: string;
    createPatient: string;
    /** A `failPaths` substring that fails the client search (the first step of every write-back). */
    clientSearchPath: string;
    /** A `commitThenFail` substring matching the appointment create. */
    createAppointmentPath: string;
    /** The credentials' secret field in `PATCH /api/clinics/:id` `pims`. */
    secretField: 'password' | 'clientSecret';
    /** Whether a written appointment holds the room besides the provider (ezyVet's booking takes one resource). */
    booksRoom: boolean;
  };
}

export const NEO_TARGET: PimsTestTarget = {
  ...neoTarget(() =>
    createIdexxNeoProvider({
      chromiumPath: process.env.CHROMIUM_PATH || undefined,
      retry: { retries: 2, baseDelayMs: 20, maxDelayMs: 100 },
      requestTimeoutMs: 15_000,
    }),
  ),
  consultationCounter: 'consultationPageData',
  consultationPath: 'consultations',
  lookupCounter: 'getAppointment',
  writes: {
    createAppointment: 'createAppointment',
    createClient: 'createClient',
    createPatient: 'createPatient',
    clientSearchPath: '/clients/search',
    createAppointmentPath: '/appointments/create',
    secretField: 'password',
    booksRoom: true,
  },
};

/** ezyVet's limits as the tests run them: high enough not to slow a suite, the 429 path is tested with faults. */
const TEST_RATE = { perEndpointPerMinute: 6_000, perClinicPerMinute: 18_000 };

export const EZYVET_TARGET: PimsTestTarget = {
  name: 'ezyvet',
  startSimulator: (opts) =>
    startEzyvetSimulator({
      ...opts,
      rateLimitPerMinute: TEST_RATE.perEndpointPerMinute,
      rateLimitPerClinicPerMinute: TEST_RATE.perClinicPerMinute,
    }),
  makeProvider: () =>
    createEzyvetProvider({
      retry: { retries: 3, baseDelayMs: 20, maxDelayMs: 200 },
      requestTimeoutMs: 15_000,
      rateLimit: TEST_RATE,
    }),
  credentials: (sim, companyId) => ({
    provider: 'ezyvet',
    baseUrl: sim.url,
    partnerId: 'partner-test',
    clientId: companyId,
    clientSecret: PASSWORD,
  }),
  // One /v1/assessment read per consultation read; /v1/consult also serves the provider's window
  // look-ups and its "what changed" list, so it is not a count of consultations asked for.
  consultationCounter: 'assessment',
  consultationPath: '/v1/consult',
  writes: {
    createAppointment: 'booking',
    createClient: 'createContact',
    createPatient: 'createAnimal',
    clientSearchPath: '/v1/contactdetail',
    createAppointmentPath: '/ezycab/booking',
    secretField: 'clientSecret',
    booksRoom: false,
  },
};

export const PIMS_TARGETS: readonly PimsTestTarget[] = [NEO_TARGET, EZYVET_TARGET];

export const targetNamed = (name: PimsProviderName): PimsTestTarget =>
  PIMS_TARGETS.find((t) => t.name === name)!;
