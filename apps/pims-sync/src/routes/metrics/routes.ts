import { createRoute, z } from '@hono/zod-openapi';
import { jsonContent } from '../../http/openapi';
import { schemas } from '../../http/schemas';

/** The two ways a scraper may authenticate (see auth.ts). */
export const METRICS_SECURITY: Record<string, string[]>[] = [{ metricsBearer: [] }, { apiKey: [] }];
export const METRICS_BEARER_SCHEME = {
  type: 'http' as const,
  scheme: 'bearer',
  description: 'PIMS_SYNC_METRICS_TOKEN, when it is set (the API key is accepted too); without it /metrics is open',
};

export const metrics = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['metrics'],
  summary:
    'Prometheus metrics of this process (text exposition format); open, unless PIMS_SYNC_METRICS_TOKEN is set: then Authorization: Bearer <PIMS_SYNC_METRICS_TOKEN>, or the API key',
  security: METRICS_SECURITY,
  responses: {
    200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: z.string() } } },
    401: jsonContent(schemas.ErrorBody, 'Missing or wrong credential (unauthorized)'),
    500: jsonContent(schemas.ErrorBody, 'internal_error'),
  },
});
