import { bodyLimit } from 'hono/body-limit';
import type { PimsRegistry } from '@pims/pims';
import type { AuditsRepository, BookingService, ClinicsRepository, WriteBackService } from '@pims/sync-data-access';
import { errorBody, handleError } from './http/errors';
import { requireApiKey } from './http/api-key';
import { API_KEY_SCHEME, fixPatterns, OPENAPI_INFO } from './http/openapi';
import { requestLog } from './http/request-log';
import { createRouter, type AppRouter } from './http/router';
import type { ServiceLogger } from './logger';
import { bookingsRouter } from './routes/bookings';
import { clinicsRouter } from './routes/clinics';
import { docsRouter } from './routes/docs';
import { healthRouter, type HealthProbe } from './routes/health';
import { metricsRouter, type MetricsCredentials, type MetricsDeps } from './routes/metrics';
import { scheduleRouter } from './routes/schedule';
import { syncRouter } from './routes/sync';
import { vapiRouter, type VapiDeps } from './routes/vapi';
import type { SyncService } from './services/sync-service';

export type { HealthProbe };

export interface AppDeps {
  apiKey: string;
  logger: ServiceLogger;
  clinics: ClinicsRepository;
  audits: AuditsRepository;
  syncs: SyncService;
  bookings: BookingService;
  /** The admin's retry of a failed write-back (POST /api/bookings/:id/write-back). */
  writeBack: Pick<WriteBackService, 'retry'>;
  /** The PIMS providers test-connection logs in through. */
  registry: PimsRegistry;
  health: HealthProbe;
  /** The voice assistant's tools and VAPI_SECRET (POST /api/vapi/tool-calls answers 503 without them). */
  vapi?: Omit<VapiDeps, 'apiKey'>;
  /** GET /metrics: the process's metrics and the credentials a scrape may carry (no route without). */
  metrics?: MetricsDeps & { credentials: MetricsCredentials };
}

/** The largest request body read (every body of the API is a small JSON object). */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * The HTTP app (CONTRACT section 2), used by main.ts and by tests through app.request(). Routes live
 * per resource under routes/ (createRoute + handlers); GET /openapi.json is generated from them.
 */
export function createApp(deps: AppDeps) {
  const api = createRouter();
  api.use('*', requireApiKey(deps.apiKey));
  // Older clients asked for the document here (behind the key): it moved to /openapi.json.
  api.get('/openapi.json', (c) => c.redirect('/openapi.json', 301));
  const apiRoutes = api
    .route('/', clinicsRouter({ clinics: deps.clinics, registry: deps.registry, logger: deps.logger }))
    .route('/', bookingsRouter({ bookings: deps.bookings, writeBack: deps.writeBack }))
    .route('/', scheduleRouter({ bookings: deps.bookings.repository }))
    .route('/', syncRouter({ audits: deps.audits, syncs: deps.syncs }));

  const app = createRouter();
  app.use('*', requestLog(deps.logger));
  // Before the body limit and the API key: Vapi's messages carry the whole conversation (a limit of
  // their own) and x-vapi-secret, not x-api-key (see vapiRouter).
  app.route('/api', vapiRouter({ ...deps.vapi, apiKey: deps.apiKey }));
  // A larger body is refused from its Content-Length, or as soon as more than that has arrived.
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json(errorBody('payload_too_large', `The request body is larger than ${MAX_BODY_BYTES / 1024} KB`), 413),
    }),
  );
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', API_KEY_SCHEME);
  if (deps.metrics) app.route('/', metricsRouter(deps.metrics));
  let document: Record<string, unknown> | null = null;
  const routes = app
    .route('/', healthRouter(deps.health))
    .route('/api', apiRoutes)
    // Built on first request, once every route is registered.
    .route('/', docsRouter({ document: () => (document ??= openApiDocument(app)) }));

  // The path is echoed shortened: an answer never grows with the request.
  app.notFound((c) => c.json(errorBody('not_found', `No route ${c.req.method.slice(0, 10)} ${shorten(c.req.path, 200)}`), 404));
  app.onError((err, c) => handleError(err, c, deps.logger));
  return routes;
}

/** The OpenAPI 3.1 document of every route the app registered through `router.openapi()`. */
export function openApiDocument(app: AppRouter): Record<string, unknown> {
  return fixPatterns(app.getOpenAPI31Document({ openapi: '3.1.0', info: OPENAPI_INFO })) as unknown as Record<string, unknown>;
}

const shorten = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

export type PimsSyncApp = ReturnType<typeof createApp>;
