import { withTransaction } from '@pims/db';
import { addDays } from '@pims/util';
import type { PhaseOutcome, SyncContext } from '../services/sync-context';
import { buildSlotGrid, slotStartFor, type GridConfig } from '../services/schedule-grid';
import { holdsSlot } from '../services/status-mapping';

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

/**
 * CONTRACT 3.3: slots for every business-hours interval of today .. today+forwardDays; every
 * appointment that holds a place is one schedule_appointments row linked to its slot; cancelled,
 * no-show and vanished ones get deleted_at; then booked counts are recounted. All writes of the
 * phase are one short transaction, so counts never disagree with appointments.
 */
export async function runForwardInbound(ctx: SyncContext): Promise<PhaseOutcome> {
  const from = ctx.today;
  const to = addDays(ctx.today, ctx.options.forwardDays);
  const grid = await gridConfigFor(ctx);
  const { appointments, skipped, excluded } = await ctx.appointments(from, to);
  ctx.progress.setTotal(appointments.length);
  const live = appointments.filter((a) => holdsSlot(a.status));
  const slots = buildSlotGrid(grid, from, to);
  const rows = live.map((a) => ({
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
  }));
  const gone = new Map(appointments.filter((a) => !holdsSlot(a.status)).map((a) => [a.id, a.status as string]));
  ctx.throwIfCancelled();
  const result = await withTransaction(ctx.deps.pool, async (tx) => {
    const s = await ctx.deps.schedule.replaceSlots(ctx.clinic.id, from, to, slots, tx);
    const a = await ctx.deps.schedule.upsertAppointments(ctx.clinic.id, rows, tx);
    const deleted = await ctx.deps.schedule.softDeleteExcept(ctx.clinic.id, from, to, rows.map((r) => r.neoAppointmentId), gone, tx);
    const recounted = await ctx.deps.schedule.recountSlots(ctx.clinic.id, from, to, tx);
    return { s, a, deleted, recounted };
  });
  ctx.progress.advance(appointments.length);
  return {
    status: 'completed',
    stats: {
      appointmentsFound: appointments.length,
      appointmentsCreated: result.a.created,
      appointmentsUpdated: result.a.updated,
      appointmentsDeleted: result.deleted,
      outsideBusinessHours: rows.filter((r) => r.slotStartTime === null).length,
      slots: slots.length,
      slotsWritten: result.s.upserted,
      slotsRemoved: result.s.deleted,
      slotCountsChanged: result.recounted,
      skippedRecords: skipped,
      excludedBlocks: excluded,
    },
  };
}
