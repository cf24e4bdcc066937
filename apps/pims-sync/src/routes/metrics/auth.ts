import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '@pims/util';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export interface MetricsCredentials {
  /** PIMS_SYNC_METRICS_TOKEN: what Prometheus sends as `Authorization: Bearer <token>`. */
  token?: string;
  /** PIMS_SYNC_API_KEY: the API's key works here too (as x-api-key or as the bearer token). */
  apiKey?: string;
}

/**
 * GET /metrics is open (CONTRACT section 2: "no key"; its label values are ids and enum words, never
 * a name, a phone number or a secret) unless PIMS_SYNC_METRICS_TOKEN is set. With the token, a
 * scrape needs `Authorization: Bearer <PIMS_SYNC_METRICS_TOKEN>` (what a Prometheus scrape config
 * sends with `authorization: { credentials_file: ... }`), or the API key (as x-api-key or as the
 * bearer token): a deployment that exposes the port beyond its scrapers can close it so. Compared in
 * constant time on digests; every candidate is compared.
 */
export function requireMetricsCredential(creds: MetricsCredentials): MiddlewareHandler {
  const expected = creds.token ? [creds.token, creds.apiKey].filter((v): v is string => !!v).map(digest) : [];
  return async (c, next) => {
    if (expected.length === 0) return next();
    const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim();
    const given = [c.req.header('x-api-key'), bearer].filter((v): v is string => v !== undefined);
    const ok = given.flatMap((v) => expected.map((e) => timingSafeEqual(digest(v), e))).includes(true);
    if (!ok) {
      throw new AppError('unauthorized', given.length === 0 ? 'Missing credential: send Authorization: Bearer <PIMS_SYNC_METRICS_TOKEN>' : 'Invalid metrics credential', { status: 401 });
    }
    await next();
  };
}
