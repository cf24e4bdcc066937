/**
 * The sync detail page's timeline: each phase a bar on one time axis from the sync's start to its
 * end (or now, while it runs), left and width in percent of the whole, so durations are to scale.
 */

export interface TimedPhase<N extends string = string> {
  name: N;
  status: string;
  startedAt: string | null;
  completedAt: string | null;
}

export interface PhaseBar<N extends string = string> {
  name: N;
  status: string;
  /** Percent of the axis from its start. */
  left: number;
  /** Percent of the axis; at least MIN_BAR_PERCENT so a phase of a few ms can still be seen. */
  width: number;
  durationMs: number;
  /** Still running: its end is now. */
  open: boolean;
}

export interface Timeline<N extends string = string> {
  /** The axis: its start instant and length (ms, at least 1). */
  startMs: number;
  totalMs: number;
  bars: PhaseBar<N>[];
  /** Where to label the axis: offsets from its start, in ms. */
  ticks: number[];
}

export const MIN_BAR_PERCENT = 0.75;
const TICKS = 4;

const ms = (iso: string | null | undefined) => {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
};

export function syncTimeline<N extends string>(
  sync: { startedAt: string | null; completedAt: string | null },
  phases: readonly TimedPhase<N>[],
  now: number,
): Timeline<N> {
  const starts = phases.map((p) => ms(p.startedAt)).filter((t): t is number => t !== null);
  const ends = phases.map((p) => ms(p.completedAt) ?? (ms(p.startedAt) !== null ? now : null)).filter((t): t is number => t !== null);
  const startMs = Math.min(ms(sync.startedAt) ?? Infinity, ...starts);
  if (!Number.isFinite(startMs)) return { startMs: now, totalMs: 1, bars: [], ticks: [] };
  const endMs = Math.max(ms(sync.completedAt) ?? (sync.startedAt ? now : startMs), ...ends, startMs + 1);
  const totalMs = endMs - startMs;
  const bars: PhaseBar<N>[] = [];
  for (const p of phases) {
    const s = ms(p.startedAt);
    if (s === null) continue;
    const e = ms(p.completedAt);
    const end = e ?? now;
    const left = ((s - startMs) / totalMs) * 100;
    const width = Math.max(((end - s) / totalMs) * 100, MIN_BAR_PERCENT);
    bars.push({ name: p.name, status: p.status, left: Math.min(left, 100 - MIN_BAR_PERCENT), width: Math.min(width, 100 - Math.min(left, 100 - MIN_BAR_PERCENT)), durationMs: Math.max(end - s, 0), open: e === null });
  }
  const ticks = Array.from({ length: TICKS + 1 }, (_, i) => Math.round((totalMs * i) / TICKS));
  return { startMs, totalMs, bars, ticks };
}

/** A held phase's stats and note, in the words of the page. */
export interface HeldPhase {
  name: 'backward_inbound' | 'case_enrichment' | 'forward_inbound' | 'reconciliation';
  stats: Record<string, number>;
  error: { code: string; message: string } | null;
}

/**
 * Why a phase held its deletions, in plain words, and whether re-running with allowMassDelete would
 * apply them (only for the mass-delete guard: held for unreadable records or failed look-ups, a
 * re-run with the option changes nothing).
 */
export function heldExplanation(p: HeldPhase, windowDays?: number): { text: string; canApply: boolean } {
  const held = p.stats.heldDeletes ?? 0;
  const what = p.name === 'forward_inbound' ? 'upcoming appointments' : 'cases';
  const live = p.name === 'reconciliation' ? p.stats.liveCases : undefined;
  const gone = p.name === 'forward_inbound' ? `${held} upcoming appointments in the schedule are no longer in the PIMS.` : `${held} cases are for appointments that are no longer in the PIMS.`;
  const window = windowDays ? ` of the last ${windowDays} ${windowDays === 1 ? 'day' : 'days'}` : '';
  const code = p.error?.code;
  if (code === 'unreadable_records_held') {
    return {
      text: `The PIMS sent some records without an id, so this sync could not tell which ${what} are really gone. It kept all ${held} of them; the first sync that reads the calendar whole removes the ones that are gone.`,
      canApply: false,
    };
  }
  if (code === 'mass_delete_held') {
    const share = live ? ` That is ${Math.round((held / live) * 100)}% of the ${live} live ${what}${window}.` : '';
    return {
      text: `${gone}${share} Removing that many at once is more often a PIMS or connection problem than real cancellations (the guard stops at 5 or more that are over a quarter of the window), so nothing was deleted. If they were really removed in the PIMS, re-run the sync allowing deletes: they are marked removed (soft-deleted), not erased.`,
      canApply: true,
    };
  }
  return {
    text: `${held} ${held === 1 ? 'deletion was' : 'deletions were'} held back because the PIMS could not be asked about some ${what}; they were kept and the next sync checks them again.`,
    canApply: false,
  };
}
