import { withTransaction } from '@pims/db';
import { addDays } from '@pims/util';
import type { PhaseOutcome, SyncContext } from '../services/sync-context';
import { unreadableOf } from '../services/sync-context';
import { caseStatusFor } from '../services/status-mapping';
import { decideDeletes, lookUpMissing } from '../services/missing-appointments';
import { caseFromAppointment } from './backward-inbound.phase';

export { isMassDelete } from '../services/missing-appointments';

/**
 * Reconciliation, in today-reconciliationDays .. today: soft-delete the cases whose appointment is
 * gone from the PIMS, update changed statuses, restore soft-deleted cases whose appointment is back.
 * Missing from the window's calendar is not gone: each missing appointment is looked up on its own
 * and a moved visit's case follows it (new scheduled_at, appointment and status), in place. A record
 * the PIMS sent unreadable is never deleted, and a record without an id holds every delete of the
 * window. The mass-delete guard, counted only over the appointments gone, holds the deletions
 * (phase `held`) unless allowMassDelete.
 */
export async function runReconciliation(ctx: SyncContext): Promise<PhaseOutcome> {
  const from = addDays(ctx.today, -ctx.options.reconciliationDays);
  const window = ctx.instantWindow(from, ctx.today);
  const result = await ctx.appointments(from, ctx.today);
  const { appointments, skipped } = result;
  const unreadable = unreadableOf(result);
  const unreadableIds = new Set(unreadable.withId);
  const cases = await ctx.deps.cases.findInWindow(ctx.clinic.id, ctx.source, window.from, window.to);
  const byId = new Map(appointments.map((a) => [a.id, a]));
  const live = cases.filter((c) => !c.deletedAt);
  const missing = live.filter((c) => !byId.has(c.externalId) && !unreadableIds.has(c.externalId));
  ctx.progress.setTotal(cases.length + missing.length);

  const lookups = await lookUpMissing(ctx, missing.map((c) => c.externalId));
  const gone = new Set(lookups.gone);
  const toDelete = missing.filter((c) => gone.has(c.externalId)).map((c) => c.id);
  const moved = lookups.found.map(caseFromAppointment);
  const decision = decideDeletes({
    gone: toDelete.length,
    failed: lookups.failed.length,
    firstError: lookups.firstError,
    live: live.length,
    withoutId: unreadable.withoutId,
    allowMassDelete: ctx.options.allowMassDelete,
    noun: 'live cases',
    howToApply: 're-run reconciliation with allowMassDelete',
  });

  const statusChanges = live
    .filter((c) => byId.has(c.externalId))
    .map((c) => ({ c, a: byId.get(c.externalId)! }))
    .filter(({ c, a }) => c.status !== caseStatusFor(a.status) || c.pimsStatus !== a.status)
    .map(({ c, a }) => ({ id: c.id, status: caseStatusFor(a.status), pimsStatus: a.status }));
  const restores = cases
    .filter((c) => c.deletedAt && byId.has(c.externalId))
    .map((c) => ({ id: c.id, status: caseStatusFor(byId.get(c.externalId)!.status), pimsStatus: byId.get(c.externalId)!.status }));
  ctx.throwIfCancelled();
  const r = await withTransaction(ctx.deps.pool, async (tx) => ({
    deleted: decision.deleteGone ? await ctx.deps.cases.softDeleteRemoved(ctx.clinic.id, toDelete, ctx.syncId, tx) : 0,
    moved: await ctx.deps.cases.upsertFromAppointments(ctx.clinic.id, ctx.source, moved, tx),
    updated: await ctx.deps.cases.updateStatuses(ctx.clinic.id, statusChanges, tx),
    restored: await ctx.deps.cases.restore(ctx.clinic.id, restores, tx),
  }));
  ctx.progress.advance(cases.length);
  const stats = {
    casesInWindow: cases.length,
    liveCases: live.length,
    appointmentsFound: appointments.length,
    casesDeleted: r.deleted,
    casesMoved: r.moved.updated,
    statusesUpdated: r.updated,
    casesRestored: r.restored,
    lookups: missing.length,
    lookupsFailed: lookups.failed.length,
    heldDeletes: decision.heldDeletes,
    skippedRecords: skipped,
  };
  if (decision.note) return { status: 'held', stats, note: decision.note };
  return { status: 'completed', stats };
}
