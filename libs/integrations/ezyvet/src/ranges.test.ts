import { describe, expect, it } from 'vitest';
import { addRange, hull, normalizeRanges, uncoveredParts } from './ranges';

describe('date ranges', () => {
  it('joins overlapping and touching ranges, across month ends', () => {
    expect(normalizeRanges([{ from: '2026-11-10', to: '2026-11-20' }, { from: '2026-11-01', to: '2026-11-09' }, { from: '2026-11-25', to: '2026-12-02' }])).toEqual([
      { from: '2026-11-01', to: '2026-11-20' },
      { from: '2026-11-25', to: '2026-12-02' },
    ]);
    expect(addRange([{ from: '2026-11-01', to: '2026-11-30' }], { from: '2026-12-01', to: '2026-12-03' })).toEqual([{ from: '2026-11-01', to: '2026-12-03' }]);
  });

  it('names the parts of a range nothing covers', () => {
    const covered = [
      { from: '2026-11-05', to: '2026-11-10' },
      { from: '2026-11-15', to: '2026-11-20' },
    ];
    expect(uncoveredParts(covered, { from: '2026-11-01', to: '2026-11-30' })).toEqual([
      { from: '2026-11-01', to: '2026-11-04' },
      { from: '2026-11-11', to: '2026-11-14' },
      { from: '2026-11-21', to: '2026-11-30' },
    ]);
    expect(uncoveredParts(covered, { from: '2026-11-06', to: '2026-11-09' })).toEqual([]);
    expect(uncoveredParts([], { from: '2026-11-06', to: '2026-11-06' })).toEqual([{ from: '2026-11-06', to: '2026-11-06' }]);
    expect(hull(covered)).toEqual({ from: '2026-11-05', to: '2026-11-20' });
  });
});
