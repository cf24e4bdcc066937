import { resolveRetryPolicy as resolveWith, type RetryOptions, type RetryPolicy } from '@pims/util';

// The retry arithmetic is @pims/util's (shared by every PIMS provider); IDEXX Neo's defaults are here.
export { abortError, backoffDelayMs, parseRetryAfter, raceAbort, sleep, throwIfAborted, type RetryOptions, type RetryPolicy } from '@pims/util';

export const DEFAULT_RETRY: RetryPolicy = {
  retries: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  jitter: 0.5,
  maxRetryAfterMs: 30_000,
};

export function resolveRetryPolicy(opts: RetryOptions = {}): RetryPolicy {
  return resolveWith(opts, DEFAULT_RETRY);
}

/** The longest a call can spend waiting between its attempts (for documentation and tests). */
export function maxTotalBackoffMs(policy: RetryPolicy): number {
  let total = 0;
  for (let i = 1; i <= policy.retries; i += 1) total += Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (i - 1));
  return total;
}
