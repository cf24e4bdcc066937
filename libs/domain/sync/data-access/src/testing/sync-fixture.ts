import { createTestDatabase, type TestDatabase } from '@pims/db/testing';
import { createPimsRegistry, type PimsProvider, type PimsSession } from '@pims/pims';
import { startSimulator, type ClinicScenarioInput, type Simulator } from '@pims/idexx-neo-sim';
import { fixedClock, generateEncryptionKey, parseEncryptionKey } from '@pims/util';
import { SyncOrchestrator } from '../services/sync-orchestrator';
import type { NewClinic } from '../repositories/clinics.repository';

export const PASSWORD = 'Sim-Pass-2026!';

type Appt = Record<string, unknown> & { id: string };

/** A scenario clinic with sensible defaults; appointments use {day, time} relative to the sim's today. */
export function scenarioClinic(companyId: string, timezone: string, appointments: Appt[], consultations: Record<string, unknown>[] = []): ClinicScenarioInput {
  return {
    companyId,
    username: `user-${companyId}`,
    password: PASSWORD,
    timezone,
    rooms: [
      { id: 'r1', name: 'Exam 1' },
      { id: 'r2', name: 'Exam 2' },
    ],
    providers: [{ id: 'p1', name: 'Dr. Rivera' }],
    appointments: appointments.map((a) => ({
      status: 'finalized',
      type: 'Wellness Exam',
      reason: 'Check-up',
      providerId: 'p1',
      roomId: 'r1',
      durationMinutes: 30,
      ...(a.isBlock || a.isRoster ? {} : { patient: { id: `P-${a.id}`, name: `Pet ${a.id}`, species: 'Canine', breed: 'Beagle' }, client: { id: `C-${a.id}`, firstName: 'Ana', lastName: 'Lopez', phone: '+15551230000', email: 'ana@example.com' } }),
      ...a,
    })),
    consultations,
  } as ClinicScenarioInput;
}

/** Wraps a provider to measure consultation requests in flight. */
export function measuringProvider(inner: PimsProvider) {
  const m = { inFlight: 0, maxInFlight: 0, consultations: 0 };
  const provider: PimsProvider = {
    name: inner.name,
    close: () => inner.close(),
    async authenticate(creds, opts) {
      const s = await inner.authenticate(creds, opts);
      const session: PimsSession = {
        getAppointments: (a, b, o) => s.getAppointments(a, b, o),
        getAppointment: (id, o) => s.getAppointment(id, o),
        getScheduleConfig: (o) => s.getScheduleConfig(o),
        close: () => s.close(),
        async getConsultation(id, o) {
          m.inFlight++;
          m.consultations++;
          m.maxInFlight = Math.max(m.maxInFlight, m.inFlight);
          try {
            return await s.getConsultation(id, o);
          } finally {
            m.inFlight--;
          }
        },
      };
      return session;
    },
  };
  return { provider, metrics: m };
}

export interface SyncFixture {
  db: TestDatabase;
  sim: Simulator;
  orchestrator: SyncOrchestrator;
  metrics: { inFlight: number; maxInFlight: number; consultations: number };
  addClinic(companyId: string, timezone: string, schedule?: NewClinic['schedule']): Promise<string>;
  setClock(now: string): void;
  close(): Promise<void>;
}

/**
 * A real PostgreSQL clone, the simulator in-process and the IDEXX Neo provider the test file makes
 * (the real one, in Chromium: this library depends on no integration, only its tests do), registered
 * as the only provider.
 */
export async function createSyncFixture(now: string, makeNeoProvider: () => PimsProvider): Promise<SyncFixture> {
  const db = await createTestDatabase();
  const sim = await startSimulator({ port: 0, now, scenario: { clinics: [] } });
  const inner = makeNeoProvider();
  const { provider, metrics } = measuringProvider(inner);
  const key = parseEncryptionKey(generateEncryptionKey());
  let clock = fixedClock(now);
  const clockProxy = { now: () => clock.now() };
  const orchestrator = new SyncOrchestrator({ pool: db.pool, registry: createPimsRegistry([provider]), credentialsKey: key, clock: clockProxy, progressIntervalMs: 20 });
  return {
    db,
    sim,
    orchestrator,
    metrics,
    async addClinic(companyId, timezone, schedule) {
      const { id } = await orchestrator.clinics.create({
        name: `Clinic ${companyId}`,
        timezone,
        pims: { provider: 'idexx_neo', baseUrl: sim.url, companyId, username: `user-${companyId}`, password: PASSWORD },
        schedule,
      });
      return id;
    },
    setClock(at: string) {
      clock = fixedClock(at);
      sim.setNow(at);
    },
    async close() {
      await orchestrator.close();
      await inner.close();
      await sim.close();
      await db.drop();
    },
  };
}
