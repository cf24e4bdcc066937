import { createTestDatabase, type TestDatabase } from '@pims/db/testing';
import { createPimsRegistry, type PimsProvider, type PimsProviderName, type PimsSession } from '@pims/pims';
import { startSimulator } from '@pims/idexx-neo-sim';
import type { ClinicScenarioInput, Simulator, SimulatorOptions } from '@pims/sim-scenario';
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

/**
 * One PIMS under test: its simulator, its real provider (made by the test file: this library depends
 * on no integration) and the log-in details of a scenarioClinic at that simulator. A suite run over
 * several targets checks the same rules for every PIMS.
 */
export interface PimsTarget {
  /** clinics.pims_provider, and the name the suite is labelled with. */
  name: PimsProviderName;
  startSimulator(opts: SimulatorOptions): Promise<Simulator>;
  makeProvider(): PimsProvider;
  /** What `clinics.create` gets for the scenario clinic `companyId` (scenarioClinic's user and PASSWORD). */
  credentials(sim: Simulator, companyId: string): NewClinic['pims'];
}

/** IDEXX Neo through its simulator, with the provider the caller makes. */
export function neoTarget(makeProvider: () => PimsProvider): PimsTarget {
  return {
    name: 'idexx_neo',
    startSimulator: (opts) => startSimulator(opts),
    makeProvider,
    credentials: (sim, companyId) => ({ provider: 'idexx_neo', baseUrl: sim.url, companyId, username: `user-${companyId}`, password: PASSWORD }),
  };
}

export interface SyncFixture {
  db: TestDatabase;
  sim: Simulator;
  target: PimsTarget;
  orchestrator: SyncOrchestrator;
  metrics: { inFlight: number; maxInFlight: number; consultations: number };
  addClinic(companyId: string, timezone: string, schedule?: NewClinic['schedule']): Promise<string>;
  setClock(now: string): void;
  close(): Promise<void>;
}

/**
 * A real PostgreSQL clone, the target's simulator in-process and its real provider, registered as the
 * only provider. A bare provider factory means IDEXX Neo (neoTarget).
 */
export async function createSyncFixture(now: string, pims: PimsTarget | (() => PimsProvider)): Promise<SyncFixture> {
  const target = typeof pims === 'function' ? neoTarget(pims) : pims;
  const db = await createTestDatabase();
  const sim = await target.startSimulator({ port: 0, now, scenario: { clinics: [] } });
  const inner = target.makeProvider();
  const { provider, metrics } = measuringProvider(inner);
  const key = parseEncryptionKey(generateEncryptionKey());
  let clock = fixedClock(now);
  const clockProxy = { now: () => clock.now() };
  const orchestrator = new SyncOrchestrator({ pool: db.pool, registry: createPimsRegistry([provider]), credentialsKey: key, clock: clockProxy, progressIntervalMs: 20 });
  return {
    db,
    sim,
    target,
    orchestrator,
    metrics,
    async addClinic(companyId, timezone, schedule) {
      const { id } = await orchestrator.clinics.create({ name: `Clinic ${companyId}`, timezone, pims: target.credentials(sim, companyId), schedule });
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
