import {
  SimClock,
  listen,
  parseFaults,
  parseScenario,
  simulatorApi,
  type SimAppointment,
  type Simulator as SharedSimulator,
  type SimulatorOptions,
} from '@pims/sim-scenario';
import { createSimApp } from './app';
import { demoScenario } from './demo';
import { envNow } from './env';
import { SimState } from './state';
import type { SimStats } from './stats';

export type { SimAppointment };

export type StartSimulatorOptions = SimulatorOptions;

/** The running IDEXX Neo simulator: the shared Simulator interface plus its state. */
export interface Simulator extends SharedSimulator<SimStats> {
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
  const server = await listen(app.fetch, { host: opts.host, port: opts.port });
  return { ...simulatorApi(state, server), state };
}
