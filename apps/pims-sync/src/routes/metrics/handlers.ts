import type { RouteHandler } from '@hono/zod-openapi';
import type { PimsSyncMetrics } from '../../metrics';
import type * as routes from './routes';

export interface MetricsDeps {
  metrics: Pick<PimsSyncMetrics, 'render' | 'contentType'>;
}

export function metricsHandlers(deps: MetricsDeps) {
  const metrics: RouteHandler<typeof routes.metrics> = async (c) => {
    const text = await deps.metrics.render();
    return c.text(text, 200, { 'content-type': deps.metrics.contentType, 'cache-control': 'no-store' });
  };
  return { metrics };
}
