import { addDays } from '@pims/util';
import type { PimsAppointment } from '@pims/pims';
import type { CaseUpsert } from '../repositories/cases.repository';
import type { PhaseOutcome, SyncContext } from '../services/sync-context';
import { caseStatusFor } from '../services/status-mapping';

export const WRITE_BATCH = 1000;

export function caseFromAppointment(a: PimsAppointment): CaseUpsert {
  return { externalId: a.id, status: caseStatusFor(a.status), scheduledAt: a.startAt, pimsAppointment: a };
}

/**
 * CONTRACT 3.1: every PIMS visit in today-backwardDays .. today is one case keyed by
 * (clinic_id, external_id). Written in batches of one statement each; unchanged cases are not written.
 */
export async function runBackwardInbound(ctx: SyncContext): Promise<PhaseOutcome> {
  const from = addDays(ctx.today, -ctx.options.backwardDays);
  const { appointments, skipped, excluded } = await ctx.appointments(from, ctx.today);
  ctx.progress.setTotal(appointments.length);
  const stats = { appointmentsFound: appointments.length, casesCreated: 0, casesUpdated: 0, casesRestored: 0, casesUnchanged: 0, skippedRecords: skipped, excludedBlocks: excluded };
  for (let i = 0; i < appointments.length; i += WRITE_BATCH) {
    ctx.throwIfCancelled();
    const batch = appointments.slice(i, i + WRITE_BATCH);
    const r = await ctx.deps.cases.upsertFromAppointments(ctx.clinic.id, ctx.source, batch.map(caseFromAppointment));
    stats.casesCreated += r.created;
    stats.casesUpdated += r.updated;
    stats.casesRestored += r.restored;
    ctx.progress.advance(batch.length);
  }
  stats.casesUnchanged = appointments.length - stats.casesCreated - stats.casesUpdated;
  return { status: 'completed', stats };
}
