export * from './repositories/clinics.repository';
export * from './repositories/audits.repository';
export * from './repositories/cases.repository';
export * from './repositories/schedule.repository';
export * from './services/sync-orchestrator';
export { WRITE_BATCH, caseFromAppointment } from './phases/backward-inbound.phase';
export * from './repositories/nightly-schedules.repository';
export * from './services/nightly-schedule';
