import { requireApiKey } from '../../http/api-key';
import { createRouter } from '../../http/router';
import { vapiHandlers, type VapiDeps } from './handlers';
import * as routes from './routes';
import { requireVapiSecret } from './secret';

export type { VapiDeps };

/**
 * The voice assistant's routes, mounted at /api ahead of the API-key routes: the tool-call route
 * answers with Vapi's secret alone (x-vapi-secret), so the app's x-api-key check on /api/* is never
 * reached for it; GET /api/vapi/tools checks the API key itself.
 */
export function vapiRouter(deps: VapiDeps) {
  const h = vapiHandlers(deps);
  const router = createRouter();
  for (const [name, scheme] of Object.entries(routes.VAPI_SECRET_SCHEMES)) router.openAPIRegistry.registerComponent('securitySchemes', name, scheme);
  // Before the routes' validators: a request without the secret is refused before its body is read.
  router.use(routes.toolCalls.path, requireVapiSecret(deps.secret));
  router.use(routes.tools.path, requireApiKey(deps.apiKey));
  return router.openapi(routes.toolCalls, h.toolCalls).openapi(routes.tools, h.tools);
}
