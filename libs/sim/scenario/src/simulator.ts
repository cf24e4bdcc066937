import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { FaultsSchema, type Faults } from './faults';
import type { ScenarioClinic } from './model';
import { clinicAppointments, type SimAppointment } from './readout';
import { formatIssues, parseScenario, type ScenarioInput } from './scenario';
import type { AppointmentPatch, ConsultationPatch, ScenarioState } from './state';
import type { SimStats } from './stats';

type FetchHandler = Parameters<typeof serve>[0]['fetch'];

/** The options every simulator's start function takes. */
export interface SimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** The data; default the simulator's demo clinic. */
  scenario?: ScenarioInput;
  /** Fix the clock at this instant (else the simulator's env, else real time). */
  now?: Date | string;
  /** Initial faults. */
  faults?: Faults;
}

/**
 * A running PIMS simulator, the same for every PIMS, so a test can be parameterized over them:
 * load one scenario, inject the same faults, read the same counters and the same appointments.
 */
export interface Simulator<Stats extends SimStats = SimStats> {
  /** e.g. http://127.0.0.1:41234 (no trailing slash): the clinic's PIMS base URL. */
  url: string;
  port: number;
  close(): Promise<void>;
  /** Replaces the clinics the scenario names; throws an Error with the reason when it is invalid. */
  setScenario(scenario: ScenarioInput): void;
  /** Replaces the fault configuration ({} clears). */
  setFaults(faults: Faults): void;
  stats(): Stats;
  resetStats(): void;
  /** Fixes the clock at an instant, or returns it to real time with null. */
  setNow(now: Date | string | null): void;
  now(): Date;
  /** Changes a consultation and bumps its appointment's change time (as POST /__sim/consultations/:id). */
  updateConsultation(id: string, patch: ConsultationPatch): void;
  /** Changes an appointment and bumps its change time (as POST /__sim/appointments/:id). */
  updateAppointment(id: string, patch: AppointmentPatch): void;
  /** Removes an appointment from the PIMS. */
  removeAppointment(id: string, companyId?: string): void;
  /** Ends all sessions / tokens (of one clinic): the next API call answers as expired. */
  expireSessions(companyId?: string): number;
  /** A clinic's appointments as the PIMS holds them now (as GET /__sim/clinics/:companyId/appointments). */
  appointments(companyId: string): SimAppointment[];
}

export function parseFaults(input: unknown): Faults {
  const r = FaultsSchema.safeParse(input);
  if (!r.success) throw new Error(`Invalid faults: ${formatIssues(r.error)}`);
  return r.data;
}

/** A listening HTTP server for a fetch handler. */
export interface ListeningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function listen(
  fetch: FetchHandler,
  opts: { host?: string; port?: number } = {},
): Promise<ListeningServer> {
  const host = opts.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch, port: opts.port ?? 0, hostname: host }) as Server;
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
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** The Simulator methods over a simulator's state and server. */
export function simulatorApi<C extends ScenarioClinic, E extends string>(
  state: ScenarioState<C, E>,
  server: ListeningServer,
): Simulator<SimStats<E>> {
  return {
    url: server.url,
    port: server.port,
    close: () => server.close(),
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
    setNow: (now) => state.clock.set(now),
    now: () => state.clock.now(),
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

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
