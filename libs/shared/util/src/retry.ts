import { setTimeout as delay } from 'node:timers/promises';
import { AppError, isAppError } from '@pims/util-core';

// The retry arithmetic every PIMS provider shares (IDEXX Neo, ezyVet): a policy, exponential backoff
// with jitter, a server's Retry-After, and waits that end when the caller aborts. Hand-written, a
// few lines: the providers' loops decide per error what is retryable and re-log in between, which
// p-retry's single callback does not fit; each provider keeps its own defaults.

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
  /** Upper bound of a server's wait (Retry-After and the like) that is honoured; longer waits are capped. */
  maxRetryAfterMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

/** The policy of `opts` over a provider's `defaults`; invalid_input for a value that is not a non-negative number. */
export function resolveRetryPolicy(opts: RetryOptions = {}, defaults: RetryPolicy): RetryPolicy {
  const p = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof RetryPolicy)[]) {
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
