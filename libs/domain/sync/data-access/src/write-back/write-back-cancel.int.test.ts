// Cancel and reschedule through write-back, and the forward sync meeting written appointments, on a
// real PostgreSQL with the port's in-memory PIMS: a written booking's appointment is cancelled in the
// PIMS; a pending create is dropped (or undone when it was in flight); a rescheduled booking's old
// appointment is cancelled and one booked at the new slot; after a sync the slot counts a written
// booking once, and after cancel + sync its seat is free once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPimsRegistry } from '@pims/pims';
import { generateEncryptionKey, parseEncryptionKey } from '@pims/util';
import type { BookingService } from '../bookings/booking.service';
import { SyncOrchestrator } from '../services/sync-orchestrator';
import { appointmentsOf, bookingRequest, createWriteBackFixture, faultyProvider, frontDesk, type WriteBackFixture } from './write-back.fixture';
import type { WriteBackService } from './write-back.service';

let w: WriteBackFixture;
let writeBack: WriteBackService;
let bookings: BookingService;

beforeAll(async () => {
  w = await createWriteBackFixture();
  writeBack = w.writeBack();
  bookings = w.bookings(writeBack);
});
afterAll(async () => {
  await w?.close();
});

const outbox = (bookingId: string) =>
  w.f.query<{ action: string; outcome: string | null }>(`select action, outcome from public.write_back_outbox where booking_id = $1 order by created_at, action desc`, [bookingId]);

describe('cancel', () => {
  it('a written booking: its PIMS appointment is cancelled (with the reason); the write-back reads pending until then, written after', async () => {
    const { clinicId, pims } = await w.addClinic();
    const b = await bookings.book(bookingRequest(clinicId, await w.f.slotId(clinicId, w.day, '09:00:00')));
    await w.drain(writeBack);
    const [appt] = appointmentsOf(pims, b);
    const cancelled = await bookings.cancel(b.id, 'Owner called to cancel');
    expect(cancelled).toMatchObject({ status: 'cancelled', writeBack: { status: 'pending', pimsAppointmentId: appt.id, attempts: 0 } });
    expect(w.jobs.sent.at(-1)).toMatchObject({ bookingId: b.id });
    expect(appt.status).toBe('scheduled');
    await w.drain(writeBack);
    expect(appt.status).toBe('cancelled');
    expect(appt.rawStatus).toBe('cancelled: Owner called to cancel');
    expect((await bookings.get(b.id)).writeBack).toEqual({ status: 'written', pimsAppointmentId: appt.id, error: null, attempts: 1 });
    expect(await outbox(b.id)).toEqual([
      { action: 'create', outcome: 'written' },
      { action: 'cancel', outcome: 'written' },
    ]);
    expect(pims.appointments.filter((a) => a.status !== 'cancelled')).toHaveLength(0);
  });

  it('a booking cancelled before anything was written: the create is dropped, nothing reaches the PIMS, nothing left to write', async () => {
    const { clinicId, pims } = await w.addClinic();
    const b = await bookings.book(bookingRequest(clinicId, await w.f.slotId(clinicId, w.day, '09:30:00')));
    w.jobs.sent.splice(0, w.jobs.sent.length - 1);
    const cancelled = await bookings.cancel(b.id);
    expect(cancelled.writeBack).toEqual({ status: null, pimsAppointmentId: null, error: null, attempts: 0 });
    expect(await outbox(b.id)).toEqual([{ action: 'create', outcome: 'dropped' }]);
    const before = { ...w.fake.calls };
    await w.drain(writeBack); // the create's job is still delivered: nothing to do
    expect(w.fake.calls.authenticate - before.authenticate).toBe(0);
    expect(pims.appointments).toHaveLength(0);
    expect((await bookings.get(b.id)).writeBack.status).toBeNull();
  });

  it('cancelled while its create was in flight: the appointment is cancelled right after, under the same lease', async () => {
    const { clinicId, pims } = await w.addClinic();
    const b = await bookings.book(bookingRequest(clinicId, await w.f.slotId(clinicId, w.day, '10:00:00')));
    let open!: () => void;
    let reached!: () => void;
    const atCreate = new Promise<void>((r) => (reached = r));
    const gate = new Promise<void>((r) => (open = r));
    const slow = w.writeBack({ provider: faultyProvider(w.fake, { gate: (m) => (m === 'createAppointment' ? (reached(), gate) : undefined) }) });
    const running = slow.process(b.id);
    await atCreate;
    const cancelled = await bookings.cancel(b.id, 'Changed plans');
    expect(cancelled.writeBack.status).toBe('pending'); // a patient was recorded: the PIMS may hold it
    expect(await writeBack.process(b.id)).toEqual({ kind: 'busy' }); // the cancel's delivery waits for the lease
    open();
    expect(await running).toMatchObject({ kind: 'settled', status: 'written' });
    const all = pims.appointments.filter((a) => a.date === w.day && a.startTime === '10:00:00');
    expect(all).toHaveLength(1);
    expect(all[0].status).toBe('cancelled');
    const now = await bookings.get(b.id);
    expect(now).toMatchObject({ status: 'cancelled', writeBack: { status: 'written', pimsAppointmentId: all[0].id } });
    expect(await writeBack.process(b.id)).toEqual({ kind: 'idle' });
  });

  it('cancelled after a create whose answer was lost: the appointment is found by its reference and cancelled', async () => {
    const { clinicId, pims } = await w.addClinic();
    const b = await bookings.book(bookingRequest(clinicId, await w.f.slotId(clinicId, w.day, '10:30:00')));
    const lossy = w.writeBack({ provider: faultyProvider(w.fake, { after: (m) => (m === 'createAppointment' ? new Error('worker killed') : undefined) }) });
    expect(await lossy.process(b.id)).toMatchObject({ kind: 'retry' });
    expect((await bookings.get(b.id)).writeBack.pimsAppointmentId).toBeNull();
    const [appt] = appointmentsOf(pims, b);
    expect(appt.status).toBe('scheduled');
    await bookings.cancel(b.id);
    await w.drain(writeBack);
    expect(appt.status).toBe('cancelled');
    expect((await bookings.get(b.id)).writeBack).toMatchObject({ status: 'written', pimsAppointmentId: appt.id });
    expect(pims.appointments).toHaveLength(1);
  });
});

describe('reschedule', () => {
  it('a written booking moved to another slot: the old appointment cancelled, one booked at the new time, the same client and patient', async () => {
    const { clinicId, pims } = await w.addClinic();
    const b = await bookings.book(bookingRequest(clinicId, await w.f.slotId(clinicId, w.day, '11:00:00')));
    await w.drain(writeBack);
    const [old] = appointmentsOf(pims, b);
    const before = { ...w.fake.calls };
    const moved = await bookings.reschedule(b.id, await w.f.slotId(clinicId, w.day, '15:30:00'));
    expect(moved.writeBack.status).toBe('pending');
    await w.drain(writeBack);
    expect(old.status).toBe('cancelled');
    const live = pims.appointments.filter((a) => a.status !== 'cancelled');
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({ date: w.day, startTime: '15:30:00', patient: { id: old.patient!.id }, client: { id: old.client!.id } });
    expect(w.fake.calls.createClient - before.createClient).toBe(0);
    expect(w.fake.calls.createPatient - before.createPatient).toBe(0);
    expect((await bookings.get(b.id)).writeBack).toMatchObject({ status: 'written', pimsAppointmentId: live[0].id });
  });

  it('moved into a slot the PIMS has filled: conflict, the old appointment left as it is, nothing booked', async () => {
    const { clinicId, pims } = await w.addClinic();
    const b = await bookings.book(bookingRequest(clinicId, await w.f.slotId(clinicId, w.day, '12:00:00')));
    await w.drain(writeBack);
    const [old] = appointmentsOf(pims, b);
    pims.appointments.push(frontDesk('F1', w.day, '16:00'), frontDesk('F2', w.day, '16:00'));
    await bookings.reschedule(b.id, await w.f.slotId(clinicId, w.day, '16:00:00'));
    await w.drain(writeBack);
    const now = await bookings.get(b.id);
    expect(now.writeBack.status).toBe('conflict');
    expect(now.writeBack.error).toContain(`its appointment ${old.id}`);
    expect(old.status).toBe('scheduled');
    expect(pims.appointments).toHaveLength(3);
  });
});

describe('the forward sync meets written appointments', () => {
  it('after a sync the written appointment is linked to its booking and the slot counts it once; after cancel + sync the seat is free once', async () => {
    const { clinicId, pims } = await w.addClinic({ capacity: 2 });
    const orchestrator = new SyncOrchestrator({
      pool: w.f.db.pool,
      registry: createPimsRegistry([w.fake]),
      credentialsKey: parseEncryptionKey(generateEncryptionKey()),
      repositories: { clinics: w.f.clinics },
    });
    try {
      const slot = await w.f.slotId(clinicId, w.day, '13:00:00');
      pims.appointments.push(frontDesk('G1', w.day, '13:00'));
      expect((await orchestrator.runInboundSync({ clinicId, forwardDays: 3 })).status).toBe('completed');
      expect(await w.f.slotId(clinicId, w.day, '13:00:00')).toBe(slot); // the sync kept the slot
      expect(await w.f.seats(slot)).toEqual({ capacity: 2, taken: 1, available: 1 });

      const b = await bookings.book(bookingRequest(clinicId, slot));
      expect(await w.f.seats(slot)).toEqual({ capacity: 2, taken: 2, available: 0 });
      await w.drain(writeBack);
      const [appt] = appointmentsOf(pims, b);
      expect((await bookings.get(b.id)).writeBack).toMatchObject({ status: 'written', pimsAppointmentId: appt.id });
      expect(await w.f.seats(slot)).toEqual({ capacity: 2, taken: 2, available: 0 }); // counted by the booking itself until synced

      expect((await orchestrator.runInboundSync({ clinicId, forwardDays: 3 })).status).toBe('completed');
      const linked = await w.f.query<{ slot_id: string; deleted_at: Date | null }>(
        `select a.slot_id, a.deleted_at from public.schedule_appointments a join public.bookings b on b.pims_appointment_id = a.neo_appointment_id and b.clinic_id = a.clinic_id where b.id = $1`,
        [b.id],
      );
      expect(linked).toEqual([{ slot_id: slot, deleted_at: null }]);
      const [s] = await w.f.query<{ booked_count: number }>(`select booked_count from public.schedule_slots where id = $1`, [slot]);
      expect(s.booked_count).toBe(2); // the desk's and ours
      expect(await w.f.seats(slot)).toEqual({ capacity: 2, taken: 2, available: 0 }); // once, not three

      await bookings.cancel(b.id);
      expect(await w.f.seats(slot)).toEqual({ capacity: 2, taken: 1, available: 1 }); // free at once
      await w.drain(writeBack);
      expect(appt.status).toBe('cancelled');
      expect(await w.f.seats(slot)).toEqual({ capacity: 2, taken: 1, available: 1 });
      expect((await orchestrator.runInboundSync({ clinicId, forwardDays: 3 })).status).toBe('completed');
      expect(await w.f.seats(slot)).toEqual({ capacity: 2, taken: 1, available: 1 }); // freed once: the desk's still counts
      const [after] = await w.f.query<{ booked_count: number }>(`select booked_count from public.schedule_slots where id = $1`, [slot]);
      expect(after.booked_count).toBe(1);
    } finally {
      await orchestrator.close();
    }
  });
});
