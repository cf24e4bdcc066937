import { setTimeout as delay } from 'node:timers/promises';
import { AppError, isAppError } from '@pims/util';

/** How transient failures (5xx, 429, network errors, timeouts) are retried. */
export interface RetryOptions {
  /** Retries after the first attempt (default 4, so at most 5 attempts). */
  retries?: number;
  /** Delay before the first retry, doubled each time (default 500 ms). */
  baseDelayMs?: number;
  /** Upper bound of one computed backoff delay (default 8 s). */
  maxDelayMs?: number;
  /** Share of the delay that is random, 0..1 (default 0.5: the delay is 50%..100% of the computed one). */
  jitter?: number;
  /** Upper bound of a server's Retry-After that is honoured (default 30 s); longer waits are capped. */
  maxRetryAfterMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

export const DEFAULT_RETRY: RetryPolicy = {
  retries: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  jitter: 0.5,
  maxRetryAfterMs: 30_000,
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
 * The wait before retry number `retry` (1 for the first retry): exponential backoff with jitter,
 * or the server's Retry-After when it gave one (capped at maxRetryAfterMs, never shorter than it said).
 */
export function backoffDelayMs(policy: RetryPolicy, retry: number, retryAfterMs: number | null = null, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  const jittered = Math.round(exp * (1 - policy.jitter + policy.jitter * random()));
  if (retryAfterMs !== null && retryAfterMs >= 0) return Math.min(policy.maxRetryAfterMs, retryAfterMs);
  return jittered;
}

/** The longest a call can spend waiting between its attempts (for documentation and tests). */
export function maxTotalBackoffMs(policy: RetryPolicy): number {
  let total = 0;
  for (let i = 1; i <= policy.retries; i += 1) total += Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (i - 1));
  return total;
}

/**
 * Retry-After in milliseconds: delta-seconds or an HTTP date; null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | null {
  if (value === null || value === undefined) return null;
  const v = value.trim();
  if (v === '') return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
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

/** Resolves or rejects with the promise, or rejects with the abort error when the signal aborts first. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => undefined);
      reject(abortError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
