import { createRouter } from '../../http/router';
import { requireMetricsCredential, type MetricsCredentials } from './auth';
import { metricsHandlers, type MetricsDeps } from './handlers';
import * as routes from './routes';

export type { MetricsCredentials, MetricsDeps };

/** GET /metrics behind its own credential (not the /api key check: see auth.ts). */
export function metricsRouter(deps: MetricsDeps & { credentials: MetricsCredentials }) {
  const router = createRouter();
  router.openAPIRegistry.registerComponent('securitySchemes', 'metricsBearer', routes.METRICS_BEARER_SCHEME);
  router.use(routes.metrics.path, requireMetricsCredential(deps.credentials));
  return router.openapi(routes.metrics, metricsHandlers(deps).metrics);
}
