/** @pims/ezyvet-sim: a server imitating ezyVet's public API (docs/ezyvet-wire.md), for tests and demos. */
export { startEzyvetSimulator, type EzyvetSimulator, type StartEzyvetSimulatorOptions } from './server';
export { createEzyvetApp } from './app';
export { EzyState, TOKEN_TTL_SECONDS } from './state';
export {
  HARBOUR_VETS,
  HARBOUR_VETS_CREDENTIALS,
  HARBOUR_VETS as DEMO_CLINIC,
  demoScenario,
  demoClinic,
  type DemoOptions,
} from './demo';
export {
  ENDPOINTS,
  WRITE_ENDPOINTS,
  LIST_RESOURCES,
  type Endpoint,
  type Resource,
  type SimStats,
  type Counters,
} from './endpoints';
export { STATUSES as EZYVET_STATUSES, BLOCK_TYPE, ROSTER_TYPE } from './model';
export { DEFAULT_RATE_LIMITS, type RateLimits } from './rate-limit';
export { readEzyvetSimEnv, DEFAULT_EZYVET_SIM_PORT, type EzyvetSimEnv } from './env';
export type { Simulator, SimAppointment, SimulatorOptions } from '@pims/sim-scenario';
