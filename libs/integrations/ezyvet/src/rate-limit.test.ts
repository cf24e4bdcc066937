import { describe, expect, it } from 'vitest';
import { bucketShape, RateLimiter, TokenBucket } from './rate-limit';

function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('TokenBucket', () => {
  it('gives its capacity at once, then one token per refill interval', () => {
    const clock = fakeClock();
    const b = new TokenBucket(3, 60, clock);
    expect([b.tryTake(), b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([true, true, true, false]);
    expect(b.waitMs()).toBe(1000);
    clock.advance(999);
    expect(b.tryTake()).toBe(false);
    clock.advance(1);
    expect(b.tryTake()).toBe(true);
  });

  it('takes no token before the instant a 429 named, and starts empty after it', () => {
    const clock = fakeClock();
    const b = new TokenBucket(5, 60, clock);
    b.pauseUntil(clock.now() + 30_000);
    expect(b.tryTake()).toBe(false);
    expect(b.waitMs()).toBe(30_000);
    clock.advance(30_000);
    // Refilled for 30 s at 1/s, capped at capacity: 5 tokens.
    expect(b.tryTake()).toBe(true);
  });

  it('take() waits its turn: callers are served in order, each after the wait it needs', async () => {
    const clock = fakeClock();
    const b = new TokenBucket(1, 60, clock);
    const waits: number[] = [];
    const wait = async (ms: number) => {
      waits.push(ms);
      clock.advance(ms);
    };
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => b.take(undefined, wait).then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
    expect(waits).toEqual([1000, 1000]);
  });
});

describe('bucketShape', () => {
  it('never lets a 60-second window see more requests than the limit, however greedy the caller', () => {
    for (const limit of [60, 180, 7, 1000]) {
      const clock = fakeClock();
      const { capacity, perMinute } = bucketShape(limit);
      const b = new TokenBucket(capacity, perMinute, clock);
      const sent: number[] = [];
      // Five minutes of taking every token the moment it is there.
      while (clock.now() < 1_000_000 + 5 * 60_000) {
        if (b.tryTake()) sent.push(clock.now());
        else clock.advance(Math.max(1, b.waitMs()));
      }
      let worst = 0;
      for (let i = 0, j = 0; i < sent.length; i += 1) {
        while (sent[i] - sent[j] >= 60_000) j += 1;
        worst = Math.max(worst, i - j + 1);
      }
      expect(worst).toBeLessThanOrEqual(limit);
      // And it uses most of what it may: over five minutes at least 80 % of five times the limit.
      expect(sent.length).toBeGreaterThanOrEqual(limit * 5 * 0.8);
    }
  });
});

describe('RateLimiter', () => {
  it('keeps one bucket per clinic and endpoint: a pause of one endpoint leaves the others', () => {
    const clock = fakeClock();
    const l = new RateLimiter({ perEndpointPerMinute: 60, perClinicPerMinute: 180 }, clock);
    l.pause('clinic-a', 'appointment', 10_000);
    expect(l.endpointBucket('clinic-a', 'appointment').waitMs()).toBe(10_000);
    expect(l.endpointBucket('clinic-a', 'consult').waitMs()).toBe(0);
    expect(l.endpointBucket('clinic-b', 'appointment').waitMs()).toBe(0);
  });
});
