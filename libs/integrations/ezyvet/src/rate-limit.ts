import { AppError } from '@pims/util';
import { sleep } from './retry';

// Hand-written on purpose: no rate-limiting library is in the workspace, and the two we would reach
// for (bottleneck, limiter) fit badly where the server names the wait (a 429's Retry-After pauses a
// bucket until an instant). A token bucket is a dozen lines of arithmetic, tested in rate-limit.test.ts.

export interface Clock {
  now(): number;
}
const realClock: Clock = { now: () => Date.now() };

/**
 * A token bucket: `capacity` tokens at most, refilled at `perMinute` tokens a minute. take() waits
 * until a token is there (and past any pause), then spends it. With capacity c and refill r a
 * minute, no 60-second window sees more than c + r requests.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private pausedUntil = 0;
  /** Callers queue in order: one waiter at a time computes its wait. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly capacity: number,
    readonly perMinute: number,
    private readonly clock: Clock = realClock,
  ) {
    if (!(capacity >= 1) || !(perMinute > 0)) throw new AppError('invalid_input', 'A token bucket needs capacity >= 1 and a refill above 0', { status: 400 });
    this.tokens = capacity;
    this.last = clock.now();
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.perMinute) / 60_000);
      this.last = now;
    }
  }

  /** Milliseconds until a token may be taken (0 when one is there now). */
  waitMs(now: number = this.clock.now()): number {
    this.refill(now);
    const pause = Math.max(0, this.pausedUntil - now);
    const missing = Math.max(0, 1 - this.tokens);
    return Math.max(pause, Math.ceil((missing * 60_000) / this.perMinute));
  }

  /** Takes a token now when there is one; false otherwise. */
  tryTake(now: number = this.clock.now()): boolean {
    if (this.waitMs(now) > 0) return false;
    this.tokens -= 1;
    return true;
  }

  /** Waits for a token and takes it. */
  take(signal?: AbortSignal, wait: (ms: number, signal?: AbortSignal) => Promise<void> = sleep): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        const ms = this.waitMs();
        if (ms <= 0 && this.tryTake()) return;
        await wait(Math.max(1, ms), signal);
      }
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** No token before `until` (epoch ms): the server said to wait; the bucket also starts empty then. */
  pauseUntil(until: number): void {
    if (until > this.pausedUntil) {
      this.pausedUntil = until;
      this.tokens = Math.min(this.tokens, 0);
    }
  }
}

export interface RateLimitOptions {
  /** Requests a minute to one endpoint of one clinic (default 60, ezyVet's documented limit). */
  perEndpointPerMinute?: number;
  /** Requests a minute to one clinic in all (default 180). */
  perClinicPerMinute?: number;
}

/** Capacity and refill that never let a 60-second window see more than `limit` requests. */
export function bucketShape(limit: number): { capacity: number; perMinute: number } {
  // A small burst keeps the long-run rate near the limit (a burst of c costs c of every minute's refill).
  const capacity = Math.max(1, Math.min(10, Math.floor(limit / 20)));
  return { capacity, perMinute: Math.max(1, limit - capacity) };
}

/**
 * The buckets of one provider: one per clinic and endpoint, one per clinic. A request takes a token
 * from both; a 429 pauses its endpoint's bucket for the wait the server named.
 */
export class RateLimiter {
  private readonly endpoints = new Map<string, TokenBucket>();
  private readonly clinics = new Map<string, TokenBucket>();
  readonly perEndpointPerMinute: number;
  readonly perClinicPerMinute: number;

  constructor(opts: RateLimitOptions = {}, private readonly clock: Clock = realClock) {
    this.perEndpointPerMinute = positive(opts.perEndpointPerMinute, 60);
    this.perClinicPerMinute = positive(opts.perClinicPerMinute, 180);
  }

  private bucket(map: Map<string, TokenBucket>, key: string, limit: number): TokenBucket {
    let b = map.get(key);
    if (!b) {
      const { capacity, perMinute } = bucketShape(limit);
      b = new TokenBucket(capacity, perMinute, this.clock);
      if (map.size > 10_000) map.clear();
      map.set(key, b);
    }
    return b;
  }

  endpointBucket(clinic: string, endpoint: string): TokenBucket {
    return this.bucket(this.endpoints, `${clinic}\u0000${endpoint}`, this.perEndpointPerMinute);
  }

  clinicBucket(clinic: string): TokenBucket {
    return this.bucket(this.clinics, clinic, this.perClinicPerMinute);
  }

  async acquire(clinic: string, endpoint: string, signal?: AbortSignal): Promise<void> {
    await this.endpointBucket(clinic, endpoint).take(signal);
    await this.clinicBucket(clinic).take(signal);
  }

  /** The server answered 429 for this endpoint: no request to it for `waitMs`. */
  pause(clinic: string, endpoint: string, waitMs: number): void {
    this.endpointBucket(clinic, endpoint).pauseUntil(this.clock.now() + Math.max(0, waitMs));
  }
}

function positive(v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isFinite(v) || v <= 0) throw new AppError('invalid_input', 'Rate limits must be positive numbers', { status: 400 });
  return v;
}
