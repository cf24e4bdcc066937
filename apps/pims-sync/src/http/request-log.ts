import type { MiddlewareHandler } from 'hono';
import type { ServiceLogger } from '../logger';

/**
 * One line per request: method, path, status, duration. Never the body, the query string or the
 * headers (bodies of /api/clinics carry PIMS passwords; headers carry the API key).
 */
export function requestLog(logger: ServiceLogger): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const ms = Math.round(performance.now() - started);
    const line = { method: c.req.method, path: c.req.path, status: c.res.status, ms };
    if (c.res.status >= 500) logger.error(line, 'request');
    else if (c.req.path === '/health' || c.req.path === '/metrics') logger.debug(line, 'request');
    else logger.info(line, 'request');
  };
}
