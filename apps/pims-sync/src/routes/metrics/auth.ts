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
 * GET /metrics needs a credential: `Authorization: Bearer <PIMS_SYNC_METRICS_TOKEN>` (what a
 * Prometheus scrape config sends with `authorization: { credentials_file: ... }`), or the API key
 * (as x-api-key, like every /api route, or as the bearer token). A token of its own lets the
 * scraper hold a credential that can only read metrics, never start a sync or change a clinic.
 * Compared in constant time on digests; every candidate is compared. With neither configured every
 * scrape is 503 metrics_not_configured: nothing is ever open by omission.
 */
export function requireMetricsCredential(creds: MetricsCredentials): MiddlewareHandler {
  const expected = [creds.token, creds.apiKey].filter((v): v is string => !!v).map(digest);
  return async (c, next) => {
    if (expected.length === 0) {
      throw new AppError('metrics_not_configured', 'Metrics are not set up: set PIMS_SYNC_METRICS_TOKEN (or PIMS_SYNC_API_KEY)', { status: 503 });
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim();
    const given = [c.req.header('x-api-key'), bearer].filter((v): v is string => v !== undefined);
    const ok = given.flatMap((v) => expected.map((e) => timingSafeEqual(digest(v), e))).includes(true);
    if (!ok) {
      throw new AppError('unauthorized', given.length === 0 ? 'Missing credential: send Authorization: Bearer <PIMS_SYNC_METRICS_TOKEN>' : 'Invalid metrics credential', { status: 401 });
    }
    await next();
  };
}
