import { withTransaction, type Pool } from '@pims/db';
import { isPimsError, type NewPimsAppointment, type PimsScheduleConfig, type PimsSession, type PimsWriteSession } from '@pims/pims';
import type { CountryCode } from 'libphonenumber-js';
import { AppError } from '@pims/util';
import { toE164 } from '../bookings/phone';
import { holdsSlot } from '../services/status-mapping';
import type { BookingExpectation, OutboxOutcome, WriteBackBooking, WriteBackEnd, WriteBackRepository } from '../repositories/write-back.repository';
import { clientsWithEmail, clientsWithPhone, liveInSlot, patientsNamed } from './matching';
import { resolveWriteDefaults } from './write-defaults';
import type { WriteBackLease } from './write-back-lease';

/** How a pass ended: settled (the booking's rows processed), or the booking changed under it (read it again). */
export type PassResult = { kind: 'settled'; booking: WriteBackBooking; outcome: OutboxOutcome } | { kind: 'changed' };

export interface PassContext {
  pool: Pool;
  repository: WriteBackRepository;
  session: PimsSession;
  writes: PimsWriteSession;
  lease: WriteBackLease;
  /** The clinic's phone notation (phones compared in E.164). */
  region: CountryCode;
  /** The outbox rows this pass settles. */
  rowIds: string[];
  /** The PIMS's calendar set-up (cached per session by the caller). */
  calendarSetUp(): Promise<PimsScheduleConfig>;
}

const hhmm = (t: string) => t.slice(0, 5);
const minutesOf = (t: string) => {
  const [h, m] = t.split(':').map(Number);
  return h * 60 + m;
};

/** Where the booking's PIMS state ends, and the rows with it, in one transaction. Guarded: changed when the booking moved on. */
async function settle(ctx: PassContext, b: WriteBackBooking, end: WriteBackEnd, outcome: OutboxOutcome, expect: BookingExpectation): Promise<PassResult> {
  const booking = await withTransaction(ctx.pool, async (tx) => {
    const r = await ctx.repository.finish(tx, b.id, end, expect);
    if (r) await ctx.repository.markProcessed(tx, ctx.rowIds, outcome);
    return r;
  });
  return booking ? { kind: 'settled', booking, outcome } : { kind: 'changed' };
}

/** The appointment the PIMS would hold for this booking (without the clinic's type, room and provider). */
function appointmentOf(b: WriteBackBooking, patientId: string): NewPimsAppointment {
  return {
    patientId,
    date: b.date,
    startTime: hhmm(b.startTime),
    durationMinutes: Math.max(1, (minutesOf(b.endTime) || 1440) - minutesOf(b.startTime)),
    reason: b.reason ?? 'Booking',
    ...(b.confirmationNumber ? { reference: b.confirmationNumber } : {}),
  };
}

type Match = { kind: 'found'; clientId: string | null; patientId: string | null } | { kind: 'ambiguous'; reason: string };

/**
 * The client by phone (E.164), then by email; the patient by name among the client's patients,
 * ignoring case. Several candidates at either step: ambiguous (a person decides). A client recorded
 * by an earlier attempt is the client.
 */
async function matchClientAndPatient(ctx: PassContext, b: WriteBackBooking): Promise<Match> {
  const { client, patient } = b;
  if (!client || !patient) return { kind: 'ambiguous', reason: 'The booking has no client or patient to write' };
  let found = clientsWithPhone(await ctx.writes.findClients({ phone: client.phone }), client.phone, ctx.region);
  let by = 'phone number';
  if (found.length === 0 && client.email) {
    found = clientsWithEmail(await ctx.writes.findClients({ email: client.email }), client.email);
    by = 'email address';
  }
  if (b.pimsClientId) {
    const mine = found.find((c) => c.clientId === b.pimsClientId);
    if (!mine) return { kind: 'found', clientId: b.pimsClientId, patientId: null };
    found = [mine];
  }
  if (found.length > 1) return { kind: 'ambiguous', reason: `${found.length} clients in the PIMS have the booking's ${by}: which one is the caller needs a person` };
  const chosen = found[0];
  if (!chosen) return { kind: 'found', clientId: null, patientId: null };
  const pets = patientsNamed(chosen, patient.name);
  if (pets.length > 1) return { kind: 'ambiguous', reason: `The PIMS client ${chosen.clientId} has ${pets.length} patients with the booking's patient name` };
  return { kind: 'found', clientId: chosen.clientId, patientId: pets[0]?.patientId ?? null };
}

/** Cancels an appointment in the PIMS; one the PIMS no longer has is as good as cancelled. */
async function cancelInPims(ctx: PassContext, appointmentId: string, reason: string): Promise<void> {
  try {
    await ctx.writes.cancelAppointment(appointmentId, reason);
  } catch (err) {
    if (!isPimsError(err, 'pims_not_found')) throw err;
  }
}

/** Whether the PIMS holds this appointment live at the booking's date and start. */
async function liveAtSlot(ctx: PassContext, b: WriteBackBooking, appointmentId: string): Promise<boolean> {
  const a = await ctx.session.getAppointment(appointmentId);
  return a !== null && holdsSlot(a.status) && a.date === b.date && hhmm(a.startTime) === hhmm(b.startTime);
}

/**
 * A confirmed booking into the PIMS, each step recorded so a retry goes on from it:
 *   a rescheduled booking whose replaced appointment already sits at its new slot keeps it;
 *   under the client's lock (the booking's phone): match (or the recorded client and patient),
 *   needs_review on ambiguity;
 *   under the slot's lock: our appointment found by its reference -> written; else the calendar of
 *   the slot read: `capacity` live appointments there -> conflict, nothing written; else the replaced
 *   appointment cancelled, client and patient created when there were none, the appointment booked
 *   (idempotent in the port) -> written.
 */
export async function writeCreate(ctx: PassContext, b: WriteBackBooking): Promise<PassResult> {
  const expect: BookingExpectation = { status: 'confirmed', date: b.date, startTime: b.startTime };
  if (b.replacedAppointmentId && (await liveAtSlot(ctx, b, b.replacedAppointmentId))) return written(ctx, b, b.replacedAppointmentId, expect);

  const phone = b.client ? (toE164(b.client.phone, ctx.region) ?? b.client.phone) : 'none';
  return ctx.lease.withLock(`client:${b.clinicId}:${phone}`, () => createAsClient(ctx, b, expect));
}

async function createAsClient(ctx: PassContext, b: WriteBackBooking, expect: BookingExpectation): Promise<PassResult> {
  const { repository: repo, pool } = ctx;
  let clientId = b.pimsClientId;
  let patientId = b.pimsPatientId;
  if (!patientId) {
    const m = await matchClientAndPatient(ctx, b);
    if (m.kind === 'ambiguous') return settle(ctx, b, { status: 'needs_review', error: m.reason }, 'needs_review', expect);
    if (m.clientId !== clientId || m.patientId !== patientId) {
      clientId = m.clientId;
      patientId = m.patientId;
      if (!(await repo.recordIds(pool, b.id, { clientId, patientId }, expect))) return { kind: 'changed' };
    }
  }
  const slot = b.slotId ? await repo.slotOf(pool, b.slotId) : null;
  if (!slot) return settle(ctx, b, { status: 'conflict', error: 'The booking has no slot any more; nothing was written' }, 'conflict', expect);
  const base = appointmentOf(b, patientId ?? 'unknown');

  return ctx.lease.withLock(`slot:${slot.id}`, async () => {
    if (patientId) {
      const ours = await ctx.writes.findBookedAppointment({ ...base, patientId });
      if (ours) return written(ctx, b, ours.appointmentId, expect);
    }
    const calendar = await ctx.session.getAppointments(b.date, b.date);
    const taken = liveInSlot(calendar, { date: b.date, startTime: b.startTime, endTime: b.endTime });
    if (taken >= slot.capacity) {
      const kept = b.replacedAppointmentId ? ` (its appointment ${b.replacedAppointmentId} at the time it had before is left as it is)` : '';
      return settle(
        ctx,
        b,
        { status: 'conflict', error: `The PIMS already holds ${taken} live appointment${taken === 1 ? '' : 's'} in this slot (capacity ${slot.capacity}); nothing was written${kept}` },
        'conflict',
        expect,
      );
    }
    if (b.replacedAppointmentId) {
      await cancelInPims(ctx, b.replacedAppointmentId, 'Rescheduled');
      if (!(await repo.recordIds(pool, b.id, { replacedAppointmentId: null }, expect))) return { kind: 'changed' };
    }
    if (!clientId) {
      const c = b.client!;
      clientId = (await ctx.writes.createClient({ firstName: c.firstName, lastName: c.lastName, phone: c.phone, ...(c.email ? { email: c.email } : {}) })).clientId;
      if (!(await repo.recordIds(pool, b.id, { clientId }, expect))) return { kind: 'changed' };
    }
    if (!patientId) {
      const p = b.patient!;
      patientId = (await ctx.writes.createPatient({ clientId, name: p.name, ...(p.species ? { species: p.species } : {}), ...(p.breed ? { breed: p.breed } : {}) })).patientId;
    }
    if (!ctx.lease.held) throw new AppError('write_back_lease_lost', 'The write-back lost its lease (database connection) before booking', { status: 503, retryable: true });
    // The gate before the one write that must happen once: the booking is still confirmed at this
    // slot, and from here on a cancel knows the PIMS may hold its appointment (a patient is recorded).
    if (!(await repo.recordIds(pool, b.id, { patientId }, expect))) return { kind: 'changed' };
    const defaults = await resolveWriteDefaults(await repo.writeDefaults(b.clinicId, pool), base.durationMinutes, ctx.calendarSetUp);
    try {
      const { appointmentId } = await ctx.writes.createAppointment({ ...base, patientId, ...defaults });
      return await written(ctx, b, appointmentId, expect);
    } catch (err) {
      if (!isPimsError(err, 'pims_conflict')) throw err;
      return settle(ctx, b, { status: 'conflict', error: `The PIMS refused the appointment: ${err.message}`.slice(0, 500) }, 'conflict', expect);
    }
  });
}

/**
 * Records the appointment a create booked. The booking still at that slot: written (or, when it was
 * cancelled meanwhile, pending with the appointment named, for the cancel that follows). Moved
 * meanwhile (rescheduled): the appointment becomes the one its next create replaces; should one be
 * named already, it is cancelled at once (the PIMS never keeps a booking twice).
 */
async function written(ctx: PassContext, b: WriteBackBooking, appointmentId: string, expect: BookingExpectation): Promise<PassResult> {
  const { repository: repo, pool } = ctx;
  const booking = await withTransaction(pool, async (tx) => {
    const r = await repo.recordWritten(tx, b.id, appointmentId, { date: expect.date!, startTime: expect.startTime! });
    if (r && r.writeBackStatus === 'written') await repo.markProcessed(tx, ctx.rowIds, 'written');
    return r;
  });
  if (booking && booking.writeBackStatus === 'written') return { kind: 'settled', booking, outcome: 'written' };
  if (booking) return { kind: 'changed' }; // cancelled meanwhile: its cancel runs next
  if (!(await repo.recordMovedAway(pool, b.id, appointmentId))) {
    const now = await repo.findBooking(pool, b.id);
    if (now?.replacedAppointmentId !== appointmentId && now?.pimsAppointmentId !== appointmentId) await cancelInPims(ctx, appointmentId, 'Rescheduled');
  }
  return { kind: 'changed' };
}

/**
 * A cancelled booking's appointment cancelled in the PIMS: the one recorded (and a replaced one),
 * or, when none is, the ones an earlier attempt may have booked without its answer reaching us
 * (looked for by the booking's reference). Ends written when one was cancelled, null when the PIMS
 * holds none (nothing to write).
 */
export async function writeCancel(ctx: PassContext, b: WriteBackBooking): Promise<PassResult> {
  const expect: BookingExpectation = { status: 'cancelled' };
  let targets = [b.pimsAppointmentId, b.replacedAppointmentId].filter((x): x is string => !!x);
  if (targets.length === 0) targets = await findOurs(ctx, b);
  const reason = b.cancelReason ?? 'Cancelled by the client';
  for (const id of targets) await cancelInPims(ctx, id, reason);
  if (targets.length === 0) return settle(ctx, b, { status: null, error: null }, 'dropped', expect);
  return settle(ctx, b, { status: 'written', error: null, appointmentId: b.pimsAppointmentId ?? targets[0], replacedAppointmentId: null }, 'written', expect);
}

/** Appointments of this booking the PIMS may hold though none is recorded: by the recorded patient, or by matching, and the reference. */
async function findOurs(ctx: PassContext, b: WriteBackBooking): Promise<string[]> {
  let patients: string[] = [];
  if (b.pimsPatientId) patients = [b.pimsPatientId];
  else if (b.client && b.patient) {
    let clients = clientsWithPhone(await ctx.writes.findClients({ phone: b.client.phone }), b.client.phone, ctx.region);
    if (clients.length === 0 && b.client.email) clients = clientsWithEmail(await ctx.writes.findClients({ email: b.client.email }), b.client.email);
    patients = clients.flatMap((c) => patientsNamed(c, b.patient!.name).map((p) => p.patientId));
  }
  const found = new Set<string>();
  for (const patientId of patients) {
    const ours = await ctx.writes.findBookedAppointment(appointmentOf(b, patientId));
    if (ours) found.add(ours.appointmentId);
  }
  return [...found];
}
