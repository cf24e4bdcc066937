/**
 * The pims-sync service. Clients (the dashboard's server) import types only: `PimsSyncApp` gives
 * Hono's `hc` a typed client of the API.
 */
export { createApp, type AppDeps, type PimsSyncApp } from './app';
export { openApiDocument } from './app';
export { createHttpApp, createOrchestrator, createRepositories, createServices, type Collaborators, type Repositories, type Services, type ServiceSettings } from './composition';
export { startService, type ServiceHandle } from './service';
export { loadEnv, type ServiceEnv } from './env';
// For the benchmarks (tools/bench/scheduler.ts drives the dispatcher on its own connections).
export { NightlyDispatcher, type DispatcherSettings, type TickResult } from './queue/nightly-dispatcher';
export { SyncService } from './services/sync-service';
export { startBoss } from './queue/boss';
export { createLogger } from './logger';
