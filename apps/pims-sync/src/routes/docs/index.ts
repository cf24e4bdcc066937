import { createRouter } from '../../http/router';
import { DOCS_ASSET_PATH } from './assets';
import { docsHandlers, type DocsDeps } from './handlers';
import * as routes from './routes';

/** GET /openapi.json, GET /docs and the page's files: no key (CONTRACT section 2). */
export function docsRouter(deps: DocsDeps) {
  const h = docsHandlers(deps);
  const router = createRouter().openapi(routes.openapiDocument, h.openapiDocument).openapi(routes.docsPage, h.docsPage);
  router.get(`/${DOCS_ASSET_PATH}/:file`, h.asset);
  return router;
}
