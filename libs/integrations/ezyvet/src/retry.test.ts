import { describe, expect, it } from 'vitest';
import { backoffDelayMs, parseRateLimitReset, parseRetryAfter, resolveRetryPolicy, serverWaitMs } from './retry';

describe('server waits', () => {
  const now = Date.parse('2026-11-20T10:00:00Z');

  it('reads x-ratelimit-reset as seconds to wait, or as an epoch instant when it is one', () => {
    expect(parseRateLimitReset('12', now)).toBe(12_000);
    expect(parseRateLimitReset(String(now / 1000 + 30), now)).toBe(30_000);
    expect(parseRateLimitReset('soon', now)).toBeNull();
  });

  it('prefers Retry-After to x-ratelimit-reset, in seconds or as an HTTP date', () => {
    expect(serverWaitMs(new Headers({ 'retry-after': '2', 'x-ratelimit-reset': '40' }), now)).toBe(2000);
    expect(serverWaitMs(new Headers({ 'x-ratelimit-reset': '40' }), now)).toBe(40_000);
    expect(serverWaitMs(new Headers({}), now)).toBeNull();
    expect(parseRetryAfter('Fri, 20 Nov 2026 10:00:05 GMT', now)).toBe(5000);
  });

  it('waits what the server named (capped), else backs off exponentially with jitter', () => {
    const p = resolveRetryPolicy({ baseDelayMs: 100, maxDelayMs: 1000, jitter: 0, maxRetryAfterMs: 5000 });
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(p, n))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelayMs(p, 1, 3000)).toBe(3000);
    expect(backoffDelayMs(p, 1, 60_000)).toBe(5000);
    expect(() => resolveRetryPolicy({ retries: -1 })).toThrow(/non-negative/);
  });
});
