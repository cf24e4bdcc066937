import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AuditsRepository, ClinicsRepository } from '@pims/sync-data-access';
import { errorBody, handleError } from './http/errors';
import { requireApiKey } from './http/api-key';
import { requestLog } from './http/request-log';
import type { ServiceLogger } from './logger';
import { buildOpenApiDocument } from './openapi';
import { clinicsRoute, type ClinicScheduler } from './routes/clinics.route';
import { healthRoute, type HealthProbe } from './routes/health.route';
import { syncRoute } from './routes/sync.route';
import type { SyncService } from './services/sync-service';

export interface AppDeps {
  apiKey: string;
  logger: ServiceLogger;
  clinics: ClinicsRepository;
  audits: AuditsRepository;
  syncs: SyncService;
  /** Writes a new clinic's daily schedule; null when schedules are not managed here. */
  schedules: ClinicScheduler | null;
  health: HealthProbe;
}

/** The largest request body read (every body of the API is a small JSON object). */
export const MAX_BODY_BYTES = 64 * 1024;

/** The HTTP app (CONTRACT section 2), used by main.ts and by tests through app.request(). */
export function createApp(deps: AppDeps) {
  const openapi = buildOpenApiDocument();
  const api = new Hono()
    .use('*', requireApiKey(deps.apiKey))
    .route('/', clinicsRoute({ clinics: deps.clinics, schedules: deps.schedules, logger: deps.logger }))
    .route('/', syncRoute({ audits: deps.audits, syncs: deps.syncs }))
    .get('/openapi.json', (c) => c.json(openapi, 200));

  const app = new Hono()
    .use('*', requestLog(deps.logger))
    // A larger body is refused from its Content-Length, or as soon as more than that has arrived.
    .use(
      '*',
      bodyLimit({
        maxSize: MAX_BODY_BYTES,
        onError: (c) => c.json(errorBody('payload_too_large', `The request body is larger than ${MAX_BODY_BYTES / 1024} KB`), 413),
      }),
    )
    .route('/', healthRoute(deps.health))
    .route('/api', api);

  // The path is echoed shortened: an answer never grows with the request.
  app.notFound((c) => c.json(errorBody('not_found', `No route ${c.req.method.slice(0, 10)} ${shorten(c.req.path, 200)}`), 404));
  app.onError((err, c) => handleError(err, c, deps.logger));
  return app;
}

const shorten = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

export type PimsSyncApp = ReturnType<typeof createApp>;
