import { createRoute, z } from '@hono/zod-openapi';

export const openapiDocument = createRoute({
  method: 'get',
  path: '/openapi.json',
  tags: ['docs'],
  summary: 'This document: OpenAPI 3.1, generated from the routes and their zod schemas (no key)',
  responses: {
    200: { description: 'The OpenAPI document', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } },
  },
});

export const docsPage = createRoute({
  method: 'get',
  path: '/docs',
  tags: ['docs'],
  summary: 'A page that renders this document (Swagger UI, served by the app itself; no key)',
  responses: {
    200: { description: 'HTML', content: { 'text/html': { schema: z.string() } } },
  },
});
