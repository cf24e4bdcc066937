/**
 * The pims-sync service. Clients (the dashboard's server) import types only: `PimsSyncApp` gives
 * Hono's `hc` a typed client of the API.
 */
export { createApp, type AppDeps, type PimsSyncApp } from './app';
export { buildOpenApiDocument } from './openapi';
export { startService, type ServiceHandle } from './service';
export { loadEnv, type ServiceEnv } from './env';
