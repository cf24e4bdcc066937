import { setTimeout as delay } from 'node:timers/promises';
import { AppError, isAppError } from '@pims/util';

// The same retry policy shape and backoff as the IDEXX Neo provider (libs/integrations/idexx-neo/src/retry.ts):
// a few lines of arithmetic, kept beside each provider rather than shared between integrations.

/** How transient failures (5xx, 429, network errors, timeouts) are retried. */
export interface RetryOptions {
  /** Retries after the first attempt (default 4, so at most 5 attempts). */
  retries?: number;
  /** Delay before the first retry, doubled each time (default 500 ms). */
  baseDelayMs?: number;
  /** Upper bound of one computed backoff delay (default 8 s). */
  maxDelayMs?: number;
  /** Share of the delay that is random, 0..1 (default 0.5). */
  jitter?: number;
  /** Upper bound of a server's Retry-After / x-ratelimit-reset that is honoured (default 60 s). */
  maxRetryAfterMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

export const DEFAULT_RETRY: RetryPolicy = {
  retries: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  jitter: 0.5,
  maxRetryAfterMs: 60_000,
};

export function resolveRetryPolicy(opts: RetryOptions = {}): RetryPolicy {
  const p = { ...DEFAULT_RETRY };
  for (const key of Object.keys(DEFAULT_RETRY) as (keyof RetryPolicy)[]) {
    const v = opts[key];
    if (v !== undefined) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw new AppError('invalid_input', `retry.${key} must be a non-negative number`, { status: 400 });
      }
      p[key] = v;
    }
  }
  p.retries = Math.floor(p.retries);
  p.jitter = Math.min(1, p.jitter);
  p.maxDelayMs = Math.max(p.maxDelayMs, p.baseDelayMs);
  return p;
}

/**
 * The wait before retry number `retry` (1 for the first): the server's wait when it named one
 * (capped at maxRetryAfterMs), else exponential backoff with jitter.
 */
export function backoffDelayMs(policy: RetryPolicy, retry: number, serverWaitMs: number | null = null, random: () => number = Math.random): number {
  if (serverWaitMs !== null && serverWaitMs >= 0) return Math.min(policy.maxRetryAfterMs, serverWaitMs);
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(exp * (1 - policy.jitter + policy.jitter * random()));
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | null {
  if (value === null || value === undefined) return null;
  const v = value.trim();
  if (v === '') return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
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

/** The error to throw when a caller's signal aborted. Keeps the caller's own AppError. */
export function abortError(signal: AbortSignal): AppError {
  const reason: unknown = signal.reason;
  if (isAppError(reason)) return reason;
  return new AppError('cancelled', 'The PIMS operation was cancelled', { status: 499, retryable: false });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/** Waits ms, or throws the abort error as soon as the signal aborts. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  if (ms <= 0) return;
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
  } catch (err) {
    if (signal?.aborted) throw abortError(signal);
    throw err;
  }
}
