/** @pims/idexx-neo-sim: a server imitating the IDEXX Neo web application, for tests and demos. */
export {
  startSimulator,
  type Simulator,
  type Simulator as NeoSimulator,
  type SimAppointment,
  type StartSimulatorOptions,
} from './server';
export { createSimApp } from './app';
export {
  SimState,
  SimError,
  ConsultationPatchSchema,
  AppointmentPatchSchema,
  type ConsultationPatch,
  type AppointmentPatch,
} from './state';
export { demoScenario, demoClinic, DEMO_CLINIC, type DemoOptions } from './demo';
export {
  ENDPOINTS,
  WRITE_ENDPOINTS,
  type SimStats,
  type Counters,
  type Endpoint,
  type WriteEndpoint,
} from './stats';
export { NEO_STATUS_WORDS, neoStatusWord } from './wire';
export { isLoopbackAddress } from './control';
export { readSimEnv, DEFAULT_SIM_PORT, type SimEnv } from './env';
// Shared with every PIMS simulator (@pims/sim-scenario), re-exported for the rest of the repo.
export {
  SimClock,
  generateClinic,
  type GenerateClinicOptions,
  type GeneratedClinic,
  createRng,
  type Rng,
  loadScenarioFile,
  ScenarioSchema,
  ClinicScenarioSchema,
  AppointmentScenarioSchema,
  ConsultationScenarioSchema,
  ConsultationLineSchema,
  BusinessHoursSchema,
  PatientSchema,
  ClientSchema,
  AppointmentTypeSchema,
  SCENARIO_STATUSES,
  CONSULTATION_STATUSES,
  parseScenario,
  assertScenario,
  formatIssues,
  type Scenario,
  type ScenarioInput,
  type ClinicScenario,
  type ClinicScenarioInput,
  type AppointmentScenario,
  type AppointmentScenarioInput,
  type ConsultationScenario,
  type ConsultationScenarioInput,
  type ScenarioStatus,
  FaultsSchema,
  type Faults,
} from '@pims/sim-scenario';
