import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '@pims/util';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Requires `x-api-key: <key>`. Both sides are hashed first so the comparison is constant time
 * whatever the lengths (timingSafeEqual needs equal lengths, and a length check would leak).
 */
export function requireApiKey(apiKey: string): MiddlewareHandler {
  const expected = digest(apiKey);
  return async (c, next) => {
    const given = c.req.header('x-api-key');
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      throw new AppError('unauthorized', given === undefined ? 'Missing x-api-key header' : 'Invalid API key', { status: 401 });
    }
    await next();
  };
}
