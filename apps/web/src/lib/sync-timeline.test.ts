import { describe, expect, it } from 'vitest';
import { heldExplanation, MIN_BAR_PERCENT, syncTimeline } from './sync-timeline';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();

describe('the sync timeline', () => {
  it('puts each phase on one axis from the sync start to its end, durations to scale', () => {
    const t = syncTimeline({ startedAt: at(0), completedAt: at(100) }, [
      { name: 'backward_inbound', status: 'completed', startedAt: at(0), completedAt: at(10) },
      { name: 'case_enrichment', status: 'failed', startedAt: at(10), completedAt: at(60) },
      { name: 'forward_inbound', status: 'completed', startedAt: at(60), completedAt: at(80) },
      { name: 'reconciliation', status: 'held', startedAt: at(80), completedAt: at(100) },
    ], Date.parse(at(500)));
    expect(t.totalMs).toBe(100_000);
    expect(t.bars.map((b) => [b.name, b.left, b.width, b.durationMs])).toEqual([
      ['backward_inbound', 0, 10, 10_000],
      ['case_enrichment', 10, 50, 50_000],
      ['forward_inbound', 60, 20, 20_000],
      ['reconciliation', 80, 20, 20_000],
    ]);
    // Widths compare as durations do.
    expect(t.bars[1].width / t.bars[0].width).toBe(5);
    expect(t.ticks).toEqual([0, 25_000, 50_000, 75_000, 100_000]);
  });

  it('a running phase ends now; a phase not started has no bar; a very short one is still visible', () => {
    const now = Date.parse(at(40));
    const t = syncTimeline({ startedAt: at(0), completedAt: null }, [
      { name: 'a', status: 'completed', startedAt: at(0), completedAt: at(0) },
      { name: 'b', status: 'running', startedAt: at(0), completedAt: null },
      { name: 'c', status: 'pending', startedAt: null, completedAt: null },
    ], now);
    expect(t.totalMs).toBe(40_000);
    expect(t.bars.map((b) => b.name)).toEqual(['a', 'b']);
    expect(t.bars[0].width).toBe(MIN_BAR_PERCENT);
    expect(t.bars[1]).toMatchObject({ width: 100, open: true, durationMs: 40_000 });
  });

  it('a sync that has not started has an empty axis', () => {
    expect(syncTimeline({ startedAt: null, completedAt: null }, [], 0).bars).toEqual([]);
  });
});

describe('a held phase in plain words', () => {
  it('the mass-delete guard: how many, what share, why nothing was deleted, and that a re-run applies it', () => {
    const e = heldExplanation({ name: 'reconciliation', stats: { heldDeletes: 8, liveCases: 20 }, error: { code: 'mass_delete_held', message: 'Held: ...' } }, 7);
    expect(e.canApply).toBe(true);
    expect(e.text).toContain('8 cases are for appointments that are no longer in the PIMS.');
    expect(e.text).toContain('40% of the 20 live cases of the last 7 days');
    expect(e.text).toContain('nothing was deleted');
  });

  it('unreadable records or failed look-ups: a re-run allowing deletes would change nothing', () => {
    expect(heldExplanation({ name: 'forward_inbound', stats: { heldDeletes: 3 }, error: { code: 'unreadable_records_held', message: '' } }).canApply).toBe(false);
    const f = heldExplanation({ name: 'reconciliation', stats: { heldDeletes: 1 }, error: { code: 'lookup_failed', message: '' } });
    expect(f).toMatchObject({ canApply: false });
    expect(f.text).toContain('1 deletion was held back');
  });
});
