/** @pims/idexx-neo-sim: a server imitating the IDEXX Neo web application, for tests and demos. */
export { startSimulator, type Simulator, type SimAppointment, type StartSimulatorOptions } from './server';
export { createSimApp } from './app';
export {
  SimState,
  SimError,
  ConsultationPatchSchema,
  AppointmentPatchSchema,
  type ConsultationPatch,
  type AppointmentPatch,
} from './state';
export { SimClock } from './clock';
export {
  generateClinic,
  type GenerateClinicOptions,
  type GeneratedClinic,
} from './generator/generate-clinic';
export { createRng, type Rng } from './prng';
export { demoScenario, demoClinic, DEMO_CLINIC, type DemoOptions } from './demo';
export { loadScenarioFile } from './scenario-file';
export {
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
} from './scenario';
export { FaultsSchema, type Faults } from './faults';
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
