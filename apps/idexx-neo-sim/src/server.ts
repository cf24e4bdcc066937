import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createSimApp } from './app';
import { SimClock } from './clock';
import { demoScenario } from './demo';
import { envNow } from './env';
import { FaultsSchema, type Faults } from './faults';
import { formatIssues, parseScenario, type ScenarioInput } from './scenario';
import { SimState, type AppointmentPatch, type ConsultationPatch } from './state';
import type { SimStats } from './stats';
import { clinicAppointments } from './wire';

/** One appointment of GET /__sim/clinics/:companyId/appointments. */
export type SimAppointment = ReturnType<typeof clinicAppointments>['appointments'][number];

export interface StartSimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** The data; default the demo clinic (Happy Paws Veterinary). */
  scenario?: ScenarioInput;
  /** Fix the clock at this instant (else env NEO_SIM_NOW, else real time). */
  now?: Date | string;
  /** Initial faults. */
  faults?: Faults;
}

export interface Simulator {
  /** e.g. http://127.0.0.1:41234 (no trailing slash): the clinic's Neo base URL. */
  url: string;
  port: number;
  close(): Promise<void>;
  /** Replaces the clinics the scenario names; throws an Error with the reason when it is invalid. */
  setScenario(scenario: ScenarioInput): void;
  /** Replaces the fault configuration ({} clears). */
  setFaults(faults: Faults): void;
  stats(): SimStats;
  resetStats(): void;
  /** Fixes the clock at an instant, or returns it to real time with null. */
  setNow(now: Date | string | null): void;
  now(): Date;
  /** Changes a consultation and bumps its appointment's last_updated_at (as POST /__sim/consultations/:id). */
  updateConsultation(id: string, patch: ConsultationPatch): void;
  /** Changes an appointment and bumps its last_updated_at (as POST /__sim/appointments/:id). */
  updateAppointment(id: string, patch: AppointmentPatch): void;
  /** Removes an appointment from the PIMS. */
  removeAppointment(id: string, companyId?: string): void;
  /** Ends all sessions (of one clinic): the next JSON call answers as an expired session. */
  expireSessions(companyId?: string): number;
  /** A clinic's appointments as the PIMS holds them now (as GET /__sim/clinics/:companyId/appointments). */
  appointments(companyId: string): SimAppointment[];
  /** The underlying state, for advanced tests. */
  readonly state: SimState;
}

export async function startSimulator(opts: StartSimulatorOptions = {}): Promise<Simulator> {
  const clock = new SimClock(opts.now ?? envNow() ?? null);
  const state = new SimState(clock);
  const parsed = parseScenario(opts.scenario ?? demoScenario({ now: clock.now() }));
  if (!parsed.ok) throw new Error(parsed.error);
  state.applyScenario(parsed.value);
  if (opts.faults) state.faults.set(parseFaults(opts.faults));

  const app = createSimApp(state);
  const host = opts.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: opts.port ?? 0, hostname: host }) as Server;
    s.once('listening', () => resolve(s));
    s.once('error', reject);
  });
  server.keepAliveTimeout = 5_000;
  const port = (server.address() as AddressInfo).port;
  const shownHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  let closed: Promise<void> | null = null;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    state,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
    setScenario(scenario) {
      const r = parseScenario(scenario);
      if (!r.ok) throw new Error(r.error);
      state.applyScenario(r.value);
    },
    setFaults(faults) {
      state.faults.set(parseFaults(faults));
    },
    stats: () => state.stats.snapshot(),
    resetStats: () => state.stats.reset(),
    setNow: (now) => clock.set(now),
    now: () => clock.now(),
    updateConsultation(id, patch) {
      state.updateConsultation(id, patch);
    },
    updateAppointment(id, patch) {
      state.updateAppointment(id, patch);
    },
    removeAppointment(id, companyId) {
      state.removeAppointment(id, companyId);
    },
    expireSessions: (companyId) => state.expireSessions(companyId),
    appointments(companyId) {
      const clinic = state.clinics.get(companyId);
      if (!clinic) throw new Error(`Unknown clinic ${companyId}`);
      return clinicAppointments(clinic).appointments;
    },
  };
}

function parseFaults(input: unknown): Faults {
  const r = FaultsSchema.safeParse(input);
  if (!r.success) throw new Error(`Invalid faults: ${formatIssues(r.error)}`);
  return r.data;
}
