import { withTransaction } from '@pims/db';
import type { PimsAppointment } from '@pims/pims';
import { addDays } from '@pims/util';
import type { PhaseOutcome, SyncContext } from '../services/sync-context';
import { unreadableOf } from '../services/sync-context';
import { buildSlotGrid, slotStartFor, type GridConfig } from '../services/schedule-grid';
import { holdsSlot } from '../services/status-mapping';
import { decideDeletes, lookUpMissing } from '../services/missing-appointments';
import type { ScheduleAppointmentRow } from '../repositories/schedule.repository';

/** The clinic's slot grid: its schedule config, or the PIMS's calendar set-up when it has none. */
export async function gridConfigFor(ctx: SyncContext): Promise<GridConfig> {
  const s = ctx.clinic.schedule;
  if (s && s.hasBusinessHours) {
    return {
      timezone: ctx.timezone,
      hours: [{ daysOfWeek: s.daysOfWeek, startTime: s.openTime, endTime: s.closeTime }],
      slotMinutes: s.slotDurationMinutes,
      capacity: s.defaultCapacity,
    };
  }
  const pims = await (await ctx.pims()).getScheduleConfig({ signal: ctx.signal });
  return {
    timezone: ctx.timezone,
    hours: pims.businessHours,
    slotMinutes: pims.slotIntervalMinutes || s?.slotDurationMinutes || 30,
    capacity: Math.max(1, pims.rooms.length),
  };
}

function rowFor(grid: GridConfig, a: PimsAppointment): ScheduleAppointmentRow {
  return {
    neoAppointmentId: a.id,
    date: a.date,
    startTime: a.startTime,
    endTime: a.endDate === a.date ? a.endTime : '24:00:00',
    startAt: a.startAt,
    endAt: a.endAt,
    status: a.status,
    slotStartTime: slotStartFor(grid, a.date, a.startTime),
    metadata: {
      type: a.type,
      reason: a.reason,
      patient: a.patient,
      client: a.client ? { id: a.client.id, firstName: a.client.firstName, lastName: a.client.lastName } : null,
      provider: a.provider,
      room: a.room,
    },
  };
}

/**
 * Forward inbound: slots for every business-hours interval of today .. today+forwardDays; every
 * appointment that holds a place is one schedule_appointments row linked to its slot; cancelled and
 * no-show ones get deleted_at at once (a cancellation is not a delete). A live row missing from the
 * calendar is looked up on its own: moved within the window it is updated, moved out of it it leaves
 * the schedule, and only when the PIMS has no such visit is it gone. Gone rows are removed unless
 * the window had a record without an id, or they would be a mass delete (counted over the window's
 * live rows) and the request did not allow one: then the phase removes none and ends `held`. A
 * record the PIMS sent unreadable keeps its row. Booked counts are recounted last. All writes of the
 * phase are one short transaction, so counts never disagree with appointments.
 */
export async function runForwardInbound(ctx: SyncContext): Promise<PhaseOutcome> {
  const from = ctx.today;
  const to = addDays(ctx.today, ctx.options.forwardDays);
  const grid = await gridConfigFor(ctx);
  const result = await ctx.appointments(from, to);
  const { appointments, skipped, excluded } = result;
  const unreadable = unreadableOf(result);
  const unreadableIds = new Set(unreadable.withId);
  const inWindow = (a: PimsAppointment) => a.date >= from && a.date <= to;
  const rows = appointments.filter((a) => holdsSlot(a.status)).map((a) => rowFor(grid, a));
  // Soft-deleted now, with the status they get: cancellations and no-shows, visits moved out of
  // the window, and (unless held) the visits gone from the PIMS.
  const cancelled = new Map(appointments.filter((a) => !holdsSlot(a.status)).map((a) => [a.id, a.status as string]));

  const present = new Set(appointments.map((a) => a.id));
  const liveBefore = await ctx.deps.schedule.findLiveIds(ctx.clinic.id, from, to);
  const missing = liveBefore.filter((id) => !present.has(id) && !unreadableIds.has(id));
  ctx.progress.setTotal(appointments.length + missing.length);
  const lookups = await lookUpMissing(ctx, missing);
  const movedOut = new Map<string, string>();
  let movedWithin = 0;
  for (const a of lookups.found) {
    if (inWindow(a) && holdsSlot(a.status)) {
      rows.push(rowFor(grid, a));
      movedWithin++;
    } else if (inWindow(a)) cancelled.set(a.id, a.status);
    else movedOut.set(a.id, a.status);
  }
  const decision = decideDeletes({
    gone: lookups.gone.length,
    failed: lookups.failed.length,
    firstError: lookups.firstError,
    live: liveBefore.length,
    withoutId: unreadable.withoutId,
    allowMassDelete: ctx.options.allowMassDelete,
    noun: 'live schedule appointments',
    howToApply: 'run a full sync with allowMassDelete',
  });
  const removals = [
    ...[...cancelled].map(([id, status]) => ({ id, status })),
    ...[...movedOut].map(([id, status]) => ({ id, status })),
    ...(decision.deleteGone ? lookups.gone.map((id) => ({ id, status: null })) : []),
  ];
  const slots = buildSlotGrid(grid, from, to);
  ctx.throwIfCancelled();
  const r = await withTransaction(ctx.deps.pool, async (tx) => {
    const s = await ctx.deps.schedule.replaceSlots(ctx.clinic.id, from, to, slots, tx);
    const a = await ctx.deps.schedule.upsertAppointments(ctx.clinic.id, rows, tx);
    const deleted = await ctx.deps.schedule.softDelete(ctx.clinic.id, removals, tx);
    const recounted = await ctx.deps.schedule.recountSlots(ctx.clinic.id, from, to, tx);
    return { s, a, deleted, recounted };
  });
  ctx.progress.advance(appointments.length);
  const stats = {
    appointmentsFound: appointments.length,
    appointmentsCreated: r.a.created,
    appointmentsUpdated: r.a.updated,
    appointmentsDeleted: r.deleted,
    appointmentsGone: decision.deleteGone ? lookups.gone.length : 0,
    appointmentsMoved: movedWithin,
    appointmentsMovedOut: movedOut.size,
    outsideBusinessHours: rows.filter((x) => x.slotStartTime === null).length,
    slots: slots.length,
    slotsWritten: r.s.upserted,
    slotsRemoved: r.s.deleted,
    slotCountsChanged: r.recounted,
    lookups: missing.length,
    lookupsFailed: lookups.failed.length,
    heldDeletes: decision.heldDeletes,
    skippedRecords: skipped,
    excludedBlocks: excluded,
  };
  if (decision.note) return { status: 'held', stats, note: decision.note };
  return { status: 'completed', stats };
}
