import { createRoute, z } from '@hono/zod-openapi';
import { jsonContent } from '../../http/openapi';
import { schemas } from '../../http/schemas';

/** The two ways a scraper may authenticate (see auth.ts). */
export const METRICS_SECURITY: Record<string, string[]>[] = [{ metricsBearer: [] }, { apiKey: [] }];
export const METRICS_BEARER_SCHEME = {
  type: 'http' as const,
  scheme: 'bearer',
  description: 'PIMS_SYNC_METRICS_TOKEN (the API key is accepted too)',
};

export const metrics = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['metrics'],
  summary: "Prometheus metrics of this process (text exposition format); Authorization: Bearer <PIMS_SYNC_METRICS_TOKEN>, or the API key",
  security: METRICS_SECURITY,
  responses: {
    200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: z.string() } } },
    401: jsonContent(schemas.ErrorBody, 'Missing or wrong credential (unauthorized)'),
    503: jsonContent(schemas.ErrorBody, 'No credential is configured (metrics_not_configured)'),
    500: jsonContent(schemas.ErrorBody, 'internal_error'),
  },
});
