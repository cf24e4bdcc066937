import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The docs page's files, from the swagger-ui-dist package (no CDN: the page works offline). Only
 * these names are served; each is read once, on first use.
 */
const FROM_PACKAGE: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** Starts Swagger UI on the document beside the page (relative URLs: the app may sit under a prefix). */
const INIT_JS = `window.ui = SwaggerUIBundle({
  url: 'openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

export const DOCS_ASSET_PATH = 'docs/assets';

export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pims-sync API</title>
<link rel="stylesheet" href="${DOCS_ASSET_PATH}/swagger-ui.css">
<link rel="icon" type="image/png" href="${DOCS_ASSET_PATH}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${DOCS_ASSET_PATH}/swagger-ui-bundle.js"></script>
<script src="${DOCS_ASSET_PATH}/docs-init.js"></script>
</body>
</html>
`;

/** Scripts and styles of the page come from the app only; Swagger UI sets inline styles. */
export const DOCS_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

const cache = new Map<string, { body: Uint8Array; type: string }>();
let packageDir: string | null = null;

/** One of the page's files, or null for any other name. */
export function docsAsset(name: string): { body: Uint8Array; type: string } | null {
  const hit = cache.get(name);
  if (hit) return hit;
  let asset: { body: Uint8Array; type: string };
  if (name === 'docs-init.js') {
    asset = { body: new TextEncoder().encode(INIT_JS), type: 'text/javascript; charset=utf-8' };
  } else if (Object.hasOwn(FROM_PACKAGE, name)) {
    packageDir ??= path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
    asset = { body: new Uint8Array(readFileSync(path.join(packageDir, name))), type: FROM_PACKAGE[name] };
  } else {
    return null;
  }
  cache.set(name, asset);
  return asset;
}
