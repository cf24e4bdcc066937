import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { mapWithConcurrency } from './concurrency';

describe('mapWithConcurrency', () => {
  it('keeps order and never runs more than the limit', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapWithConcurrency([5, 1, 4, 2, 3, 1, 2], 3, async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await delay(n * 3);
      running -= 1;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 10, 20]);
    expect(peak).toBe(3);
  });

  it('stops starting work after a failure and throws the first error once the running ones end', async () => {
    const started: number[] = [];
    let running = 0;
    const p = mapWithConcurrency([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      running += 1;
      try {
        await delay(5);
        if (n === 2) throw new Error('boom');
        return n;
      } finally {
        running -= 1;
      }
    });
    await expect(p).rejects.toThrow('boom');
    expect(running).toBe(0);
    expect(started.length).toBeLessThan(6);
  });

  it('handles empty input', async () => {
    expect(await mapWithConcurrency([], 3, async () => 1)).toEqual([]);
  });
});
