import { OpenAPIHono } from '@hono/zod-openapi';
import { validationHook } from './validate';

/**
 * A router of the app (Hono OpenAPI starter layout): routes are added with
 * `router.openapi(createRoute({ path, request, responses }), handler)`, so the request is validated,
 * the answer typed and the OpenAPI document written from the same zod schemas. A failed validation
 * goes to the app's one error handler (ValidationError), never to the library's own 400 answer.
 */
export function createRouter() {
  return new OpenAPIHono({ defaultHook: (result) => validationHook(result) });
}

export type AppRouter = ReturnType<typeof createRouter>;
