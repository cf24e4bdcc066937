import { errorBody, handleError } from '../../http/errors';
import { requestLog } from '../../http/request-log';
import { createRouter } from '../../http/router';
import type { ServiceLogger } from '../../logger';
import { metricsRouter, type MetricsCredentials, type MetricsDeps } from './index';

/**
 * GET /metrics alone, for PIMS_SYNC_METRICS_PORT: a worker process serves no API, yet its counters
 * (the runs, phases, PIMS requests and write-backs it did) are only in its own registry, so
 * Prometheus scrapes it here. Anything else is 404.
 */
export function createMetricsApp(deps: MetricsDeps & { credentials: MetricsCredentials; logger: ServiceLogger }) {
  const app = createRouter();
  app.use('*', requestLog(deps.logger));
  app.route('/', metricsRouter(deps));
  app.notFound((c) => c.json(errorBody('not_found', 'Only GET /metrics is served on this port'), 404));
  app.onError((err, c) => handleError(err, c, deps.logger));
  return app;
}
