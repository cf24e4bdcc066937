/**
 * @pims/sim-scenario: what every PIMS simulator shares (CONTRACT sections 5 and 10): the scenario
 * format and its resolution, the data generator, clock, PRNG, faults, stats counters, the control
 * API, the appointments read-out and the Simulator interface.
 */
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
  type ParseResult,
  type When,
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
export { loadScenarioFile } from './scenario-file';
export { closeOnSignals, portOption, resolveScenarioFile } from './cli';
export {
  ARRIVED_STATUSES,
  DEFAULT_USER_DISPLAY_NAME,
  appointmentForConsultation,
  bumpTime,
  byStart,
  lastUpdatedAt,
  relativeLocal,
  resolveAppointment,
  resolveConsultation,
  resolveScenarioClinic,
  resolveWhen,
  type Appointment,
  type AppointmentOrigin,
  type AppointmentType,
  type Client,
  type Consultation,
  type ConsultationLine,
  type Patient,
  type ScenarioClinic,
} from './model';
export {
  ScenarioState,
  SimError,
  ConsultationPatchSchema,
  AppointmentPatchSchema,
  NewAppointmentSchema,
  parseOrThrow,
  type ConsultationPatch,
  type AppointmentPatch,
  type LoadedClinic,
} from './state';
export { SimClock, parseInstant } from './clock';
export {
  addMinutesLocal,
  addSecondsLocal,
  datePart,
  isLocalOrInstant,
  localNow,
  maxLocal,
  minutesBetweenLocal,
  normalizeLocal,
  toClinicLocal,
  type LocalDateTime,
} from './local-time';
export { createRng, hashSeed, type Rng } from './prng';
export { FaultsSchema, FaultState, type Faults } from './faults';
export { StatsRecorder, type Counters, type SimStats } from './stats';
export {
  CONTROL_PREFIX,
  controlRoutes,
  fromLoopback,
  handle,
  isControlPath,
  isLoopbackAddress,
  loopbackGuard,
  readJson,
  type ControlContext,
  type ControlOptions,
} from './control';
export { clinicAppointments, scenarioLocal, type SimAppointment } from './readout';
export {
  listen,
  parseFaults,
  simulatorApi,
  sleep,
  type ListeningServer,
  type Simulator,
  type SimulatorOptions,
} from './simulator';
export {
  generateClinic,
  type GenerateClinicOptions,
  type GeneratedClinic,
} from './generator/generate-clinic';
