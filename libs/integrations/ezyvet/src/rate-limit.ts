import { AppError } from '@pims/util';
import { sleep } from './retry';

// Hand-written on purpose: no rate-limiting library is in the workspace, and the two we would reach
// for (bottleneck, limiter) fit badly where the server names the wait (a 429's Retry-After pauses a
// window until an instant). A sliding log is a dozen lines of arithmetic, tested in rate-limit.test.ts.

export interface Clock {
  now(): number;
}
const realClock: Clock = { now: () => Date.now() };

const WINDOW_MS = 60_000;

/**
 * ezyVet's limit as it states it: at most `limit` requests in any 60 seconds. A sliding log of the
 * last minute's send times: a request goes at once while the last 60 s saw fewer than `limit`, else
 * when the oldest of them leaves the window. A sync of a hundred requests is not slowed at all, and
 * no 60-second window ever sees more than the limit (a token bucket keeps the second only by
 * spreading the first). take() waits until it may send (and past any pause), then records it.
 */
export class SlidingWindow {
  private readonly sent: number[] = [];
  private pausedUntil = 0;
  /** Callers queue in order: one waiter at a time computes its wait. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly limit: number,
    private readonly clock: Clock = realClock,
  ) {
    if (!(limit >= 1)) throw new AppError('invalid_input', 'A rate limit needs at least one request a minute', { status: 400 });
  }

  /** Milliseconds until a request may be sent (0 when it may go now). */
  waitMs(now: number = this.clock.now()): number {
    while (this.sent.length > 0 && now - this.sent[0] >= WINDOW_MS) this.sent.shift();
    const pause = Math.max(0, this.pausedUntil - now);
    const full = this.sent.length >= this.limit ? this.sent[this.sent.length - this.limit] + WINDOW_MS - now : 0;
    return Math.max(pause, full);
  }

  /** Records a request now when it may go; false otherwise. */
  tryTake(now: number = this.clock.now()): boolean {
    if (this.waitMs(now) > 0) return false;
    this.sent.push(now);
    return true;
  }

  /** Waits until a request may go and records it. */
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

  /** Nothing is sent before `until` (epoch ms): the server said to wait. */
  pauseUntil(until: number): void {
    if (until > this.pausedUntil) this.pausedUntil = until;
  }
}

export interface RateLimitOptions {
  /** Requests a minute to one endpoint of one clinic (default 60, ezyVet's documented limit). */
  perEndpointPerMinute?: number;
  /** Requests a minute to one clinic in all (default 180). */
  perClinicPerMinute?: number;
}

/**
 * The windows of one provider: one per clinic and endpoint, one per clinic. A request waits for
 * room in both; a 429 pauses its endpoint's window for the wait the server named.
 */
export class RateLimiter {
  private readonly endpoints = new Map<string, SlidingWindow>();
  private readonly clinics = new Map<string, SlidingWindow>();
  readonly perEndpointPerMinute: number;
  readonly perClinicPerMinute: number;

  constructor(opts: RateLimitOptions = {}, private readonly clock: Clock = realClock) {
    this.perEndpointPerMinute = positive(opts.perEndpointPerMinute, 60);
    this.perClinicPerMinute = positive(opts.perClinicPerMinute, 180);
  }

  private bucket(map: Map<string, SlidingWindow>, key: string, limit: number): SlidingWindow {
    let b = map.get(key);
    if (!b) {
      b = new SlidingWindow(limit, this.clock);
      if (map.size > 10_000) map.clear();
      map.set(key, b);
    }
    return b;
  }

  endpointBucket(clinic: string, endpoint: string): SlidingWindow {
    return this.bucket(this.endpoints, `${clinic}\u0000${endpoint}`, this.perEndpointPerMinute);
  }

  clinicBucket(clinic: string): SlidingWindow {
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
