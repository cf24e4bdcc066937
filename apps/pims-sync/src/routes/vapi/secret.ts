import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '@pims/util';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Requires Vapi's server secret: `x-vapi-secret: <VAPI_SECRET>` (how Vapi sends a server secret),
 * or `Authorization: Bearer <VAPI_SECRET>` (a credential or custom header). Compared in constant
 * time on digests, like the API key. Without a configured secret every call is 503
 * vapi_not_configured: an unset secret never lets a request through.
 */
export function requireVapiSecret(secret: string | undefined): MiddlewareHandler {
  const expected = secret ? digest(secret) : null;
  return async (c, next) => {
    if (!expected) {
      throw new AppError('vapi_not_configured', 'Voice-assistant tool calls are not set up: set VAPI_SECRET (npm start generates one)', { status: 503 });
    }
    const header = c.req.header('x-vapi-secret');
    const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim();
    const given = [header, bearer].filter((v): v is string => v !== undefined);
    // Every candidate is compared (no early exit on the first).
    const ok = given.map((v) => timingSafeEqual(digest(v), expected)).includes(true);
    if (!ok) throw new AppError('unauthorized', given.length === 0 ? 'Missing x-vapi-secret header' : 'Invalid Vapi secret', { status: 401 });
    await next();
  };
}
