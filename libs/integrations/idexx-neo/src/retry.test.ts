import { describe, expect, it } from 'vitest';
import { AppError } from '@pims/util';
import { DEFAULT_RETRY, backoffDelayMs, maxTotalBackoffMs, parseRetryAfter, raceAbort, resolveRetryPolicy, sleep } from './retry';

describe('retry policy', () => {
  it('defaults to 4 retries with exponential backoff', () => {
    const p = resolveRetryPolicy();
    expect(p).toEqual(DEFAULT_RETRY);
    expect(p.retries).toBe(4);
  });

  it('doubles the delay each retry, capped, without jitter at random()=1', () => {
    const p = resolveRetryPolicy({ baseDelayMs: 100, maxDelayMs: 500, jitter: 0.5 });
    const one = () => 1;
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(p, n, null, one))).toEqual([100, 200, 400, 500, 500]);
  });

  it('applies jitter within [1 - jitter, 1] of the computed delay', () => {
    const p = resolveRetryPolicy({ baseDelayMs: 1000, jitter: 0.5 });
    expect(backoffDelayMs(p, 1, null, () => 0)).toBe(500);
    expect(backoffDelayMs(p, 1, null, () => 0.5)).toBe(750);
    for (let i = 0; i < 100; i += 1) {
      const d = backoffDelayMs(p, 2, null);
      expect(d).toBeGreaterThanOrEqual(1000);
      expect(d).toBeLessThanOrEqual(2000);
    }
    const noJitter = resolveRetryPolicy({ baseDelayMs: 1000, jitter: 0 });
    expect(backoffDelayMs(noJitter, 1, null, () => 0)).toBe(1000);
  });

  it("honours the server's Retry-After, capped by maxRetryAfterMs", () => {
    const p = resolveRetryPolicy({ baseDelayMs: 10, maxRetryAfterMs: 5_000 });
    expect(backoffDelayMs(p, 1, 1000)).toBe(1000);
    expect(backoffDelayMs(p, 1, 60_000)).toBe(5000);
    expect(backoffDelayMs(p, 1, 0)).toBe(0);
  });

  it('sums the worst-case backoff of a call', () => {
    expect(maxTotalBackoffMs(resolveRetryPolicy({ retries: 3, baseDelayMs: 100, maxDelayMs: 250 }))).toBe(100 + 200 + 250);
  });

  it('refuses nonsense settings', () => {
    expect(() => resolveRetryPolicy({ retries: -1 })).toThrow(AppError);
    expect(() => resolveRetryPolicy({ baseDelayMs: Number.NaN })).toThrow(/baseDelayMs/);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('1')).toBe(1000);
    expect(parseRetryAfter(' 2.5 ')).toBe(2500);
    const now = Date.parse('2026-11-20T10:00:00Z');
    expect(parseRetryAfter('Fri, 20 Nov 2026 10:00:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter('Fri, 20 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });

  it('gives null for absent or unreadable values', () => {
    expect(parseRetryAfter(undefined)).toBeNull();
    expect(parseRetryAfter('')).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });
});

describe('abortable waits', () => {
  it('sleep stops at once with a cancelled error', async () => {
    const ac = new AbortController();
    const started = Date.now();
    const p = sleep(10_000, ac.signal);
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("keeps the caller's own AppError as the abort reason", async () => {
    const ac = new AbortController();
    ac.abort(new AppError('sync_cancelled', 'stop'));
    await expect(sleep(10, ac.signal)).rejects.toMatchObject({ code: 'sync_cancelled' });
  });

  it('raceAbort passes results through and stops on abort', async () => {
    const ac = new AbortController();
    await expect(raceAbort(Promise.resolve(3), ac.signal)).resolves.toBe(3);
    const never = new Promise<number>(() => undefined);
    const p = raceAbort(never, ac.signal);
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
  });
});
