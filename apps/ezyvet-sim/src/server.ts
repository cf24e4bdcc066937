import {
  SimClock,
  listen,
  parseFaults,
  parseScenario,
  simulatorApi,
  type Simulator,
  type SimulatorOptions,
} from '@pims/sim-scenario';
import { createEzyvetApp } from './app';
import { demoScenario } from './demo';
import type { SimStats } from './endpoints';
import { envNow } from './env';
import { DEFAULT_RATE_LIMITS, type RateLimits } from './rate-limit';
import { EzyState } from './state';

export interface StartEzyvetSimulatorOptions extends SimulatorOptions {
  /** Requests a minute per endpoint per clinic (default 60, ezyVet's; 0 = no limit). */
  rateLimitPerMinute?: number;
  /** Requests a minute per clinic over all endpoints (default 3 x rateLimitPerMinute: 180, or none when that is 0). */
  rateLimitPerClinicPerMinute?: number;
}

/** The running ezyVet simulator: the shared Simulator interface plus its state and rate limit. */
export interface EzyvetSimulator extends Simulator<SimStats> {
  /** Changes the rate limits (and starts fresh windows). */
  setRateLimits(limits: Partial<RateLimits>): void;
  /** The underlying state, for advanced tests. */
  readonly state: EzyState;
}

export async function startEzyvetSimulator(opts: StartEzyvetSimulatorOptions = {}): Promise<EzyvetSimulator> {
  const clock = new SimClock(opts.now ?? envNow() ?? null);
  const perEndpoint = opts.rateLimitPerMinute ?? DEFAULT_RATE_LIMITS.perEndpoint;
  const state = new EzyState(clock, {
    perEndpoint,
    perClinic: opts.rateLimitPerClinicPerMinute ?? perEndpoint * 3,
  });
  const parsed = parseScenario(opts.scenario ?? demoScenario({ now: clock.now() }));
  if (!parsed.ok) throw new Error(parsed.error);
  state.applyScenario(parsed.value);
  if (opts.faults) state.faults.set(parseFaults(opts.faults));

  const app = createEzyvetApp(state);
  const server = await listen(app.fetch, { host: opts.host, port: opts.port });
  return {
    ...simulatorApi(state, server),
    setRateLimits: (limits) => state.rateLimiter.set(limits),
    state,
  };
}
