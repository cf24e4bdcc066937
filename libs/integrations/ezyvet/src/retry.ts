import { parseRetryAfter, resolveRetryPolicy as resolveWith, type RetryOptions, type RetryPolicy } from '@pims/util';

// The retry arithmetic is @pims/util's (shared by every PIMS provider); ezyVet's defaults and its
// x-ratelimit-reset header are here.
export { abortError, backoffDelayMs, parseRetryAfter, sleep, throwIfAborted, type RetryOptions, type RetryPolicy } from '@pims/util';

export const DEFAULT_RETRY: RetryPolicy = {
  retries: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  jitter: 0.5,
  maxRetryAfterMs: 60_000,
};

export function resolveRetryPolicy(opts: RetryOptions = {}): RetryPolicy {
  return resolveWith(opts, DEFAULT_RETRY);
}

/**
 * ezyVet's x-ratelimit-reset in milliseconds from now. Whether it is seconds to wait or an epoch
 * instant is not documented (docs/ezyvet-wire.md section 9): below 10^9 it is seconds, else epoch seconds.
 */
export function parseRateLimitReset(value: string | null | undefined, now: number = Date.now()): number | null {
  if (value === null || value === undefined) return null;
  const v = value.trim();
  if (!/^\d+(\.\d+)?$/.test(v)) return null;
  const n = Number(v);
  if (n < 1e9) return Math.round(n * 1000);
  return Math.max(0, Math.round(n * 1000 - now));
}

/** The wait a 429 names: Retry-After first, else x-ratelimit-reset; null when neither is readable. */
export function serverWaitMs(headers: Headers, now: number = Date.now()): number | null {
  return parseRetryAfter(headers.get('retry-after'), now) ?? parseRateLimitReset(headers.get('x-ratelimit-reset'), now);
}
