import type { RouteHandler } from '@hono/zod-openapi';
import type { Handler } from 'hono';
import { AppError } from '@pims/util';
import { DOCS_CSP, DOCS_HTML, docsAsset } from './assets';
import type * as routes from './routes';

export interface DocsDeps {
  /** The app's OpenAPI document (built once by the app from every route it registered). */
  document(): Record<string, unknown>;
}

export function docsHandlers(deps: DocsDeps) {
  const openapiDocument: RouteHandler<typeof routes.openapiDocument> = (c) => c.json(deps.document(), 200);

  const docsPage: RouteHandler<typeof routes.docsPage> = (c) => {
    c.header('content-security-policy', DOCS_CSP);
    return c.html(DOCS_HTML, 200);
  };

  /** GET /docs/assets/:file: the page's scripts and styles (not in the document: they are the page's own files). */
  const asset: Handler = (c) => {
    const file = docsAsset(c.req.param('file') ?? '');
    if (!file) throw new AppError('not_found', 'No such file', { status: 404 });
    return c.body(file.body as Uint8Array<ArrayBuffer>, 200, { 'content-type': file.type, 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' });
  };

  return { openapiDocument, docsPage, asset };
}
