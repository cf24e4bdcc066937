/**
 * ezyVet's rate limit (docs/ezyvet-wire.md section 9): about 60 requests a minute per endpoint (the
 * path without ids) per clinic, and about 180 a minute per clinic in all. Fixed one-minute windows in
 * real time (the simulator's clock may stand still), each starting with its first request. 0 = off.
 */
export interface RateLimits {
  /** Requests a minute per endpoint per clinic (default 60; 0 = no limit). */
  perEndpoint: number;
  /** Requests a minute per clinic over all endpoints (default 180; 0 = no limit). */
  perClinic: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { perEndpoint: 60, perClinic: 180 };
const WINDOW_MS = 60_000;

interface Window {
  startedMs: number;
  count: number;
}

/** The verdict on one request, with what its answer's headers say. */
export interface RateVerdict {
  allowed: boolean;
  /** The tighter of the two windows: its limit, what is left in it, seconds until it resets. */
  limit: number;
  remaining: number;
  resetSeconds: number;
}

export class RateLimiter {
  limits: RateLimits;
  private readonly windows = new Map<string, Window>();

  constructor(
    limits: Partial<RateLimits> = {},
    private readonly nowMs: () => number = Date.now,
  ) {
    this.limits = { ...DEFAULT_RATE_LIMITS, ...limits };
  }

  set(limits: Partial<RateLimits>): void {
    this.limits = { ...this.limits, ...limits };
    this.windows.clear();
  }

  reset(): void {
    this.windows.clear();
  }

  private window(key: string, now: number): Window {
    let w = this.windows.get(key);
    if (!w || now - w.startedMs >= WINDOW_MS) {
      w = { startedMs: now, count: 0 };
      this.windows.set(key, w);
      if (this.windows.size > 100_000) this.windows.clear();
    }
    return w;
  }

  /** Counts one request of a clinic to an endpoint; refused when either window is full. */
  take(companyId: string, endpoint: string): RateVerdict {
    const now = this.nowMs();
    const checks: { w: Window; limit: number }[] = [];
    if (this.limits.perEndpoint > 0)
      checks.push({ w: this.window(`${companyId}\u0000${endpoint}`, now), limit: this.limits.perEndpoint });
    if (this.limits.perClinic > 0)
      checks.push({ w: this.window(`${companyId}\u0000*`, now), limit: this.limits.perClinic });
    if (checks.length === 0) return { allowed: true, limit: 0, remaining: 0, resetSeconds: 0 };
    const allowed = checks.every((c) => c.w.count < c.limit);
    if (allowed) for (const c of checks) c.w.count += 1;
    const tight = checks
      .map((c) => ({
        limit: c.limit,
        remaining: Math.max(0, c.limit - c.w.count),
        resetSeconds: Math.max(1, Math.ceil((c.w.startedMs + WINDOW_MS - now) / 1000)),
      }))
      .sort((a, b) => a.remaining - b.remaining || b.resetSeconds - a.resetSeconds)[0];
    return { allowed, ...tight };
  }
}
