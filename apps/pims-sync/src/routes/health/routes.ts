import { createRoute } from '@hono/zod-openapi';
import { jsonContent } from '../../http/openapi';
import { schemas } from '../../http/schemas';

export const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['health'],
  summary: 'Liveness and readiness: the database and the queue (no key)',
  responses: {
    200: jsonContent(schemas.HealthOutput, 'Healthy'),
    503: jsonContent(schemas.HealthOutput, 'A check failed (named in checks)'),
  },
});
