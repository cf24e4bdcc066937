import { withTransaction } from '@pims/db';
import { addDays } from '@pims/util';
import type { PhaseOutcome, SyncContext } from '../services/sync-context';
import { caseStatusFor } from '../services/status-mapping';

/** CONTRACT 3.4 mass-delete guard: at least 5 deletions and more than 25% of the window's live cases. */
export function isMassDelete(toDelete: number, liveCases: number): boolean {
  return toDelete >= 5 && toDelete > 0.25 * liveCases;
}

/**
 * CONTRACT 3.4: in today-reconciliationDays .. today, soft-delete cases whose appointment is gone
 * from the PIMS, update changed statuses, restore soft-deleted cases whose appointment is back.
 * The mass-delete guard holds the deletions (phase `held`) unless allowMassDelete.
 */
export async function runReconciliation(ctx: SyncContext): Promise<PhaseOutcome> {
  const from = addDays(ctx.today, -ctx.options.reconciliationDays);
  const window = ctx.instantWindow(from, ctx.today);
  const { appointments, skipped } = await ctx.appointments(from, ctx.today);
  const cases = await ctx.deps.cases.findInWindow(ctx.clinic.id, ctx.source, window.from, window.to);
  ctx.progress.setTotal(cases.length);
  const byId = new Map(appointments.map((a) => [a.id, a]));
  const live = cases.filter((c) => !c.deletedAt);
  const toDelete = live.filter((c) => !byId.has(c.externalId)).map((c) => c.id);
  const statusChanges = live
    .filter((c) => byId.has(c.externalId))
    .map((c) => ({ c, a: byId.get(c.externalId)! }))
    .filter(({ c, a }) => c.status !== caseStatusFor(a.status) || c.pimsStatus !== a.status)
    .map(({ c, a }) => ({ id: c.id, status: caseStatusFor(a.status), pimsStatus: a.status }));
  const restores = cases
    .filter((c) => c.deletedAt && byId.has(c.externalId))
    .map((c) => ({ id: c.id, status: caseStatusFor(byId.get(c.externalId)!.status), pimsStatus: byId.get(c.externalId)!.status }));
  const held = toDelete.length > 0 && !ctx.options.allowMassDelete && isMassDelete(toDelete.length, live.length);
  ctx.throwIfCancelled();
  const r = await withTransaction(ctx.deps.pool, async (tx) => ({
    deleted: held ? 0 : await ctx.deps.cases.softDeleteRemoved(ctx.clinic.id, toDelete, ctx.syncId, tx),
    updated: await ctx.deps.cases.updateStatuses(ctx.clinic.id, statusChanges, tx),
    restored: await ctx.deps.cases.restore(ctx.clinic.id, restores, tx),
  }));
  ctx.progress.advance(cases.length);
  const stats = {
    casesInWindow: cases.length,
    liveCases: live.length,
    appointmentsFound: appointments.length,
    casesDeleted: r.deleted,
    statusesUpdated: r.updated,
    casesRestored: r.restored,
    heldDeletes: held ? toDelete.length : 0,
    skippedRecords: skipped,
  };
  if (held) {
    return {
      status: 'held',
      stats,
      note: {
        code: 'mass_delete_held',
        message: `Held: ${toDelete.length} of ${live.length} live cases would be deleted as removed from the PIMS. Check the PIMS, then re-run reconciliation with allowMassDelete to apply.`,
      },
    };
  }
  return { status: 'completed', stats };
}
