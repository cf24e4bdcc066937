export * from './repositories/clinics.repository';
export * from './repositories/audits.repository';
export * from './services/sync-orchestrator';
