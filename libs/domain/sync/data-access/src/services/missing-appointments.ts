import pLimit from 'p-limit';
import type { PimsAppointment } from '@pims/pims';
import { describeError } from '@pims/util';
import type { SyncContext } from './sync-context';

/** The mass-delete guard: at least 5 deletions and more than 25% of the window's live records. */
export function isMassDelete(toDelete: number, liveRecords: number): boolean {
  return toDelete >= 5 && toDelete > 0.25 * liveRecords;
}

export interface MissingLookups {
  /** Still in the PIMS, moved elsewhere or changed: followed, never deleted. */
  found: PimsAppointment[];
  /** Ids the PIMS answers it has no visit for: these, and only these, are gone. */
  gone: string[];
  /** Ids whose lookup failed (or was not tried after repeated failures): neither gone nor found. */
  failed: string[];
  firstError: { code: string; message: string } | null;
}

/**
 * Looks each appointment missing from a window's calendar up on its own, because missing from the
 * window is not gone from the PIMS: a rescheduled visit is elsewhere on the calendar. At most
 * `parallelBatchSize` lookups are in flight; after a cancel, or too many failures in a row, the
 * remaining ones are not tried and count as failed (a failed lookup is never a delete).
 */
export async function lookUpMissing(ctx: SyncContext, ids: readonly string[]): Promise<MissingLookups> {
  const out: MissingLookups = { found: [], gone: [], failed: [], firstError: null };
  if (ids.length === 0) return out;
  const session = await ctx.pims();
  const limit = Math.max(1, ctx.options.parallelBatchSize);
  const giveUpAfter = Math.max(limit * 2, 10);
  let consecutiveFailures = 0;
  const run = pLimit(limit);
  const lookUp = async (id: string) => {
    if (ctx.signal.aborted || consecutiveFailures >= giveUpAfter) {
      out.failed.push(id);
      return;
    }
    try {
      const a = await session.getAppointment(id, { signal: ctx.signal });
      consecutiveFailures = 0;
      if (a) out.found.push(a);
      else out.gone.push(id);
    } catch (err) {
      out.failed.push(id);
      if (ctx.signal.aborted) return;
      consecutiveFailures++;
      out.firstError ??= describeError(err);
      ctx.deps.logger.warn({ appointmentId: id, err: describeError(err) }, 'appointment lookup failed');
    }
    ctx.progress.advance();
  };
  await Promise.all(ids.map((id) => run(() => lookUp(id))));
  ctx.throwIfCancelled();
  return out;
}

export interface DeleteDecision {
  /** Whether the gone records are deleted now. */
  deleteGone: boolean;
  /** Deletions not made: gone records held back, plus failed lookups. */
  heldDeletes: number;
  /** The phase's note when it holds anything. */
  note?: { code: string; message: string };
}

/**
 * Whether a phase deletes the records the PIMS answered it no longer has. It holds them when the
 * window had a record without an id (that record might be any of them), or when they would be a
 * mass delete and the request did not allow one. Failed lookups are held in every case.
 */
export function decideDeletes(input: {
  gone: number;
  failed: number;
  firstError: { code: string; message: string } | null;
  live: number;
  withoutId: number;
  allowMassDelete: boolean;
  /** What the records are, e.g. 'live cases'. */
  noun: string;
  /** How to apply a held mass delete, e.g. 're-run reconciliation with allowMassDelete'. */
  howToApply: string;
}): DeleteDecision {
  const notes: { code: string; message: string }[] = [];
  let deleteGone = true;
  if (input.gone > 0 && input.withoutId > 0) {
    deleteGone = false;
    notes.push({
      code: 'unreadable_records_held',
      message: `Held: ${input.gone} of ${input.live} ${input.noun} would be deleted as removed from the PIMS, but the PIMS sent ${input.withoutId} record(s) without an id in this window, so nothing is deleted there. They are deleted by the first sync whose calendar reads whole.`,
    });
  } else if (input.gone > 0 && !input.allowMassDelete && isMassDelete(input.gone, input.live)) {
    deleteGone = false;
    notes.push({
      code: 'mass_delete_held',
      message: `Held: ${input.gone} of ${input.live} ${input.noun} would be deleted as removed from the PIMS. Check the PIMS, then ${input.howToApply} to apply.`,
    });
  }
  if (input.failed > 0) {
    notes.push({
      code: 'lookup_failed',
      message: `${input.failed} visit(s) missing from the calendar could not be looked up in the PIMS${input.firstError ? ` (${input.firstError.code}: ${input.firstError.message})` : ''}; they were kept and are checked again by the next sync.`,
    });
  }
  const heldDeletes = (deleteGone ? 0 : input.gone) + input.failed;
  if (heldDeletes === 0) return { deleteGone, heldDeletes };
  return { deleteGone, heldDeletes, note: { code: notes[0].code, message: notes.map((n) => n.message).join(' ') } };
}
