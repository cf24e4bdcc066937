import { bodyLimit } from 'hono/body-limit';
import { requireApiKey } from '../../http/api-key';
import { errorBody } from '../../http/errors';
import { createRouter } from '../../http/router';
import { vapiHandlers, type VapiDeps } from './handlers';
import * as routes from './routes';
import { requireVapiSecret } from './secret';

export type { VapiDeps };

/**
 * The largest Vapi message read. Besides the tool calls, Vapi sends the call, the assistant's
 * configuration and the conversation so far (artifact.messages), which outgrow the API's 64 KB.
 */
export const VAPI_MAX_BODY_BYTES = 1024 * 1024;

/**
 * The voice assistant's routes, mounted at /api ahead of the app's body limit and of the API-key
 * routes: the tool-call route answers with Vapi's secret alone (x-vapi-secret) and reads up to
 * VAPI_MAX_BODY_BYTES, so neither the app's x-api-key check on /api/* nor its 64 KB limit is
 * reached for it; GET /api/vapi/tools checks the API key itself.
 */
export function vapiRouter(deps: VapiDeps) {
  const h = vapiHandlers(deps);
  const router = createRouter();
  for (const [name, scheme] of Object.entries(routes.VAPI_SECRET_SCHEMES)) router.openAPIRegistry.registerComponent('securitySchemes', name, scheme);
  // Before the routes' validators: a request without the secret is refused before its body is read.
  router.use(routes.toolCalls.path, requireVapiSecret(deps.secret));
  router.use(
    routes.toolCalls.path,
    bodyLimit({
      maxSize: VAPI_MAX_BODY_BYTES,
      onError: (c) => c.json(errorBody('payload_too_large', `The request body is larger than ${VAPI_MAX_BODY_BYTES / 1024} KB`), 413),
    }),
  );
  router.use(routes.tools.path, requireApiKey(deps.apiKey));
  return router.openapi(routes.toolCalls, h.toolCalls).openapi(routes.tools, h.tools);
}
