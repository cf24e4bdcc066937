import pLimit from 'p-limit';
import type { PimsConsultation } from '@pims/pims';
import { AppError, addDays, compareLocalInstants, describeError } from '@pims/util';
import type { WindowCase } from '../repositories/cases.repository';
import type { PhaseOutcome, SyncContext } from '../services/sync-context';

const WRITE_EVERY = 25;

/**
 * A case needs its consultation (re)fetched when it never had one, when its appointment now names
 * another consultation, or when the PIMS changed it since: its appointment's last_updated_at is a
 * later instant than the one the stored copy was fetched at. Both are the PIMS's clinic-local
 * timestamps, compared as instants in the clinic's zone, not as text. A consultation the PIMS
 * answered as not found is stored as such and follows the same rule: it is asked for again only
 * when its appointment's last_updated_at changes.
 */
export function needsConsultation(c: WindowCase, timezone: string): boolean {
  if (c.deletedAt || !c.consultationId) return false;
  if (!c.hasConsultation) return true;
  if (c.storedConsultationId && c.storedConsultationId !== c.consultationId) return true;
  if (!c.appointmentUpdatedAt) return false;
  return !c.consultationSourceUpdatedAt || compareLocalInstants(c.appointmentUpdatedAt, c.consultationSourceUpdatedAt, timezone) > 0;
}

export function consultationMetadata(k: PimsConsultation, sourceUpdatedAt: string | null, fetchedAt: Date) {
  return {
    id: k.id,
    notes: k.notes,
    dischargeSummary: k.dischargeSummary,
    diagnoses: k.diagnoses,
    products: k.products,
    status: k.status,
    fetchedAt: fetchedAt.toISOString(),
    sourceUpdatedAt,
  };
}

/** The mark of a consultation the PIMS answered as not found, with the last_updated_at it was asked at. */
export function missingConsultationMetadata(id: string, sourceUpdatedAt: string | null, checkedAt: Date) {
  return { id, missing: true, checkedAt: checkedAt.toISOString(), sourceUpdatedAt };
}

/**
 * Case enrichment: cases of the backward window whose appointment has a consultation get
 * metadata.pimsConsultation. At most parallelBatchSize requests in flight; a consultation is fetched
 * again only when its appointment's last_updated_at is newer than the stored copy's. One the PIMS
 * answers as not found is recorded as missing ({id, missing: true, checkedAt}) so the next sync does
 * not ask again. Answers are written as they arrive, in small batches; on cancel no new request
 * starts and what arrived is written whole.
 */
export async function runCaseEnrichment(ctx: SyncContext): Promise<PhaseOutcome> {
  const from = addDays(ctx.today, -ctx.options.backwardDays);
  const window = ctx.instantWindow(from, ctx.today);
  // The PIMS's current last_updated_at and consultation id of each visit (reused from backward
  // inbound in a full sync; one calendar read when enrichment runs alone).
  const { appointments } = await ctx.appointments(from, ctx.today);
  const current = new Map(appointments.map((a) => [a.id, a]));
  const cases = (await ctx.deps.cases.findInWindow(ctx.clinic.id, ctx.source, window.from, window.to)).map((c) => {
    const a = current.get(c.externalId);
    return a ? { ...c, consultationId: a.consultationId, appointmentUpdatedAt: a.lastUpdatedAt } : c;
  });
  const todo = cases.filter((c) => needsConsultation(c, ctx.timezone));
  ctx.progress.setTotal(todo.length);
  const stats = {
    casesWithConsultation: cases.filter((c) => c.consultationId && !c.deletedAt).length,
    fetched: 0,
    written: 0,
    notFound: 0,
    failed: 0,
    upToDate: 0,
    knownMissing: cases.filter((c) => c.consultationMissing && !c.deletedAt && !needsConsultation(c, ctx.timezone)).length,
  };
  stats.upToDate = stats.casesWithConsultation - todo.length;
  if (todo.length === 0) return { status: 'completed', stats };

  const session = await ctx.pims();
  let pending: { caseId: string; consultation: Record<string, unknown> }[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    stats.written += await ctx.deps.cases.setConsultations(ctx.clinic.id, batch);
  };
  let firstError: unknown = null;
  let consecutiveFailures = 0;
  const limit = Math.max(1, ctx.options.parallelBatchSize);
  const giveUpAfter = Math.max(limit * 2, 10);
  let writing: Promise<void> = Promise.resolve();

  // At most `limit` requests in flight; after a cancel, or too many failures in a row, the queued
  // ones end without a request.
  const run = pLimit(limit);
  const fetchOne = async (c: WindowCase) => {
    if (ctx.signal.aborted || consecutiveFailures >= giveUpAfter) return;
    try {
      const k = await session.getConsultation(c.consultationId!, { signal: ctx.signal });
      consecutiveFailures = 0;
      if (!k) {
        stats.notFound++;
        pending.push({ caseId: c.id, consultation: missingConsultationMetadata(c.consultationId!, c.appointmentUpdatedAt, ctx.deps.clock.now()) });
      } else {
        stats.fetched++;
        pending.push({ caseId: c.id, consultation: consultationMetadata(k, c.appointmentUpdatedAt, ctx.deps.clock.now()) });
      }
      if (pending.length >= WRITE_EVERY) writing = writing.then(flush);
    } catch (err) {
      if (ctx.signal.aborted) return;
      stats.failed++;
      consecutiveFailures++;
      firstError ??= err;
      ctx.deps.logger.warn({ consultationId: c.consultationId, err: describeError(err) }, 'consultation fetch failed');
    }
    ctx.progress.advance();
  };
  await Promise.all(todo.map((c) => run(() => fetchOne(c))));
  await writing;
  await flush();
  ctx.throwIfCancelled();
  if (stats.failed > 0) {
    const e = describeError(firstError);
    const skippedAfterGivingUp = todo.length - stats.fetched - stats.notFound - stats.failed;
    throw new AppError(
      e.code,
      `${stats.failed} of ${todo.length} consultations could not be fetched${skippedAfterGivingUp > 0 ? ` (${skippedAfterGivingUp} not tried after repeated failures)` : ''}: ${e.message}`,
      { details: { stats } },
    );
  }
  return { status: 'completed', stats };
}
