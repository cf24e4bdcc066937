import { describe, expect, it } from 'vitest';
import { RateLimiter, SlidingWindow } from './rate-limit';

function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('SlidingWindow', () => {
  it('lets the limit through at once, then the next request when the oldest leaves the minute', () => {
    const clock = fakeClock();
    const w = new SlidingWindow(3, clock);
    expect([w.tryTake(), w.tryTake(), w.tryTake(), w.tryTake()]).toEqual([true, true, true, false]);
    expect(w.waitMs()).toBe(60_000);
    clock.advance(59_999);
    expect(w.tryTake()).toBe(false);
    clock.advance(1);
    expect(w.tryTake()).toBe(true);
  });

  it('sends nothing before the instant a 429 named', () => {
    const clock = fakeClock();
    const w = new SlidingWindow(5, clock);
    w.pauseUntil(clock.now() + 30_000);
    expect(w.tryTake()).toBe(false);
    expect(w.waitMs()).toBe(30_000);
    clock.advance(30_000);
    expect(w.tryTake()).toBe(true);
  });

  it('take() waits its turn: callers are served in order, each after the wait it needs', async () => {
    const clock = fakeClock();
    const w = new SlidingWindow(1, clock);
    const waits: number[] = [];
    const wait = async (ms: number) => {
      waits.push(ms);
      clock.advance(ms);
    };
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => w.take(undefined, wait).then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
    expect(waits).toEqual([60_000, 60_000]);
  });

  it('never lets a 60-second window see more requests than the limit, however greedy the caller, and uses all of it', () => {
    for (const limit of [60, 180, 7, 1000]) {
      const clock = fakeClock();
      const w = new SlidingWindow(limit, clock);
      const sent: number[] = [];
      // Five minutes of sending the moment it may.
      while (clock.now() < 1_000_000 + 5 * 60_000) {
        if (w.tryTake()) sent.push(clock.now());
        else clock.advance(Math.max(1, w.waitMs()));
      }
      let worst = 0;
      for (let i = 0, j = 0; i < sent.length; i += 1) {
        while (sent[i] - sent[j] >= 60_000) j += 1;
        worst = Math.max(worst, i - j + 1);
      }
      expect(worst).toBeLessThanOrEqual(limit);
      expect(sent.length).toBe(limit * 5);
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
