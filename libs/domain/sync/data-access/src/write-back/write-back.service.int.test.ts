// Write-back against the port's in-memory PIMS on a real PostgreSQL: the outbox row and its job in
// the booking's transaction, matching (phone in E.164, then email; the patient by name ignoring
// case), needs_review on ambiguity, the conflict check against the PIMS's calendar, write defaults.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pimsUnavailable } from '@pims/pims';
import { fakeAppointment } from '@pims/pims/testing';
import { appointmentsOf, bookingRequest, createWriteBackFixture, faultyProvider, frontDesk, TZ, type WriteBackFixture } from './write-back.fixture';
import type { WriteBackService } from './write-back.service';
import type { BookingService } from '../bookings/booking.service';

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
  w.f.query<{ action: string; processed: boolean; outcome: string | null; job_id: string; id: string }>(
    `select id, action, processed_at is not null as processed, outcome, job_id from public.write_back_outbox where booking_id = $1 order by created_at`,
    [bookingId],
  );

describe('a booking written into the PIMS', () => {
  it('commits its outbox row and job with the booking; the worker books one appointment with its date, start, length, patient and reason: written, with the id', async () => {
    const { clinicId, pims } = await w.addClinic();
    const slot = await w.f.slotId(clinicId, w.day, '10:00:00');
    const b = await bookings.book(bookingRequest(clinicId, slot));
    expect(b.writeBack).toEqual({ status: 'pending', pimsAppointmentId: null, error: null, attempts: 0 });
    const rows = await outbox(b.id);
    expect(rows).toEqual([{ id: rows[0].id, action: 'create', processed: false, outcome: null, job_id: rows[0].id }]);
    expect(w.jobs.sent).toEqual([{ jobId: rows[0].id, outboxId: rows[0].id, bookingId: b.id, clinicId }]);

    const before = { ...w.fake.calls };
    const results = await w.drain(writeBack);
    expect(results.get(b.id)).toMatchObject({ kind: 'settled', status: 'written' });
    const mine = appointmentsOf(pims, b);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ date: w.day, startTime: '10:00:00', endTime: '10:30:00', reason: 'Annual vaccines', status: 'scheduled' });
    expect(mine[0].patient).toMatchObject({ name: 'Biscuit', species: 'Canine' });
    expect(mine[0].client).toMatchObject({ firstName: 'Ana', lastName: 'Lopez', phone: '+15551234567', email: 'ana@example.com' });
    // No client in the PIMS had that phone or email: one client and one patient created.
    expect(w.fake.calls.createClient - before.createClient).toBe(1);
    expect(w.fake.calls.createPatient - before.createPatient).toBe(1);
    expect(w.fake.calls.createAppointment - before.createAppointment).toBe(1);
    const after = await bookings.get(b.id);
    expect(after.writeBack).toEqual({ status: 'written', pimsAppointmentId: mine[0].id, error: null, attempts: 1 });
    expect(await outbox(b.id)).toMatchObject([{ processed: true, outcome: 'written' }]);
    // Delivered again (the queue's at-least-once): nothing more.
    expect(await writeBack.process(b.id)).toEqual({ kind: 'idle' });
    expect(appointmentsOf(pims, b)).toHaveLength(1);
  });

  it('a client known by phone (written another way) is reused, and her pet found by name ignoring case: nothing created but the appointment', async () => {
    const known = fakeAppointment({
      id: 'old-1',
      date: w.day,
      time: '15:00',
      timezone: TZ,
      patient: { id: 'pet-77', name: 'BISCUIT', species: 'Canine', breed: null },
      client: { id: 'client-77', firstName: 'Ana', lastName: 'Lopez-Diaz', phone: '555.123.4567', email: 'other@example.com' },
    });
    const { clinicId, pims } = await w.addClinic({ appointments: [known] });
    const before = { ...w.fake.calls };
    const b = await bookings.book(bookingRequest(clinicId, await w.f.slotId(clinicId, w.day, '09:00:00')));
    await w.drain(writeBack);
    expect(w.fake.calls.createClient - before.createClient).toBe(0);
    expect(w.fake.calls.createPatient - before.createPatient).toBe(0);
    const mine = pims.appointments.filter((a) => a.date === w.day && a.startTime === '09:00:00');
    expect(mine).toHaveLength(1);
    expect(mine[0].patient?.id).toBe('pet-77');
    expect(mine[0].client?.id).toBe('client-77');
    expect((await bookings.get(b.id)).writeBack.status).toBe('written');
    const [row] = await w.f.query<{ pims_client_id: string; pims_patient_id: string }>(`select pims_client_id, pims_patient_id from public.bookings where id = $1`, [b.id]);
    expect(row).toEqual({ pims_client_id: 'client-77', pims_patient_id: 'pet-77' });
  });

  it('by email when no client has the phone; a new pet of a known client is created under that client', async () => {
    const known = fakeAppointment({
      id: 'old-2',
      date: w.day,
      time: '15:00',
      timezone: TZ,
      patient: { id: 'pet-88', name: 'Rex', species: 'Canine', breed: null },
      client: { id: 'client-88', firstName: 'Ana', lastName: 'Lopez', phone: '+15557770000', email: 'ANA@example.com' },
    });
    const { clinicId, pims } = await w.addClinic({ appointments: [known] });
    const before = { ...w.fake.calls };
    const b = await bookings.book(bookingRequest(clinicId, await w.f.slotId(clinicId, w.day, '09:30:00')));
    await w.drain(writeBack);
    expect(w.fake.calls.createClient - before.createClient).toBe(0);
    expect(w.fake.calls.createPatient - before.createPatient).toBe(1);
    const [mine] = appointmentsOf(pims, b);
    expect(mine.client?.id).toBe('client-88');
    expect(mine.patient?.name).toBe('Biscuit');
  });

  it('two clients with that phone: needs_review, nothing written', async () => {
    const twins = ['a', 'b'].map((x) =>
      fakeAppointment({
        id: `twin-${x}`,
        date: w.day,
        time: '16:00',
        timezone: TZ,
        patient: { id: `pet-${x}`, name: 'Biscuit', species: null, breed: null },
        client: { id: `client-${x}`, firstName: 'Ana', lastName: x, phone: '+1 555 123 4567', email: null },
      }),
    );
    const { clinicId, pims } = await w.addClinic({ appointments: twins });
    const before = { ...w.fake.calls };
    const b = await bookings.book(bookingRequest(clinicId, await w.f.slotId(clinicId, w.day, '11:00:00')));
    const r = await w.drain(writeBack);
    expect(r.get(b.id)).toMatchObject({ kind: 'settled', status: 'needs_review' });
    const after = await bookings.get(b.id);
    expect(after.writeBack.status).toBe('needs_review');
    expect(after.writeBack.error).toMatch(/2 clients in the PIMS have the booking's phone number/);
    expect(after.writeBack.pimsAppointmentId).toBeNull();
    for (const m of ['createClient', 'createPatient', 'createAppointment'] as const) expect(w.fake.calls[m] - before[m]).toBe(0);
    expect(pims.appointments).toHaveLength(2);
    expect(await outbox(b.id)).toMatchObject([{ processed: true, outcome: 'needs_review' }]);
  });

  it('two patients of the client with the name: needs_review', async () => {
    const pets = ['p1', 'p2'].map((id) =>
      fakeAppointment({
        id: `dup-${id}`,
        date: w.day,
        time: '16:00',
        timezone: TZ,
        patient: { id, name: ' biscuit ', species: null, breed: null },
        client: { id: 'client-99', firstName: 'Ana', lastName: 'Lopez', phone: '+15551234567', email: null },
      }),
    );
    const { clinicId } = await w.addClinic({ appointments: pets });
    const b = await bookings.book(bookingRequest(clinicId, await w.f.slotId(clinicId, w.day, '11:00:00')));
    await w.drain(writeBack);
    const after = await bookings.get(b.id);
    expect(after.writeBack.status).toBe('needs_review');
    expect(after.writeBack.error).toMatch(/2 patients/);
  });
});

describe('the conflict check against the PIMS calendar', () => {
  it('writes failing, then the front desk books the last seat, then writes succeed: conflict, nothing written', async () => {
    const { clinicId, pims } = await w.addClinic();
    const slot = await w.f.slotId(clinicId, w.day, '13:00:00');
    pims.appointments.push(frontDesk('D1', w.day, '13:00')); // one seat of two taken at the desk
    const b = await bookings.book(bookingRequest(clinicId, slot));
    w.fake.failNext('findClients', pimsUnavailable('IDEXX Neo did not answer'), 1);
    const first = await writeBack.process(b.id);
    expect(first).toMatchObject({ kind: 'retry', attempts: 1, error: { code: 'pims_unavailable' } });
    expect((await bookings.get(b.id)).writeBack).toMatchObject({ status: 'pending', attempts: 1, error: 'pims_unavailable: IDEXX Neo did not answer' });
    // Meanwhile the front desk fills the last seat (an appointment starting inside the slot).
    pims.appointments.push(frontDesk('D2', w.day, '13:10'));
    const before = { ...w.fake.calls };
    const second = await writeBack.process(b.id);
    expect(second).toMatchObject({ kind: 'settled', status: 'conflict' });
    const after = await bookings.get(b.id);
    expect(after.writeBack).toMatchObject({ status: 'conflict', pimsAppointmentId: null, attempts: 2 });
    expect(after.writeBack.error).toMatch(/already holds 2 live appointments in this slot \(capacity 2\); nothing was written/);
    for (const m of ['createClient', 'createPatient', 'createAppointment'] as const) expect(w.fake.calls[m] - before[m]).toBe(0);
    expect(pims.appointments.map((a) => a.id)).toEqual(['D1', 'D2']);
  });

  it('cancelled and no-show appointments and those of other slots do not fill it; one free seat is enough', async () => {
    const { clinicId, pims } = await w.addClinic();
    pims.appointments.push(
      frontDesk('E1', w.day, '14:00'),
      frontDesk('E2', w.day, '14:00', { status: 'cancelled' }),
      frontDesk('E3', w.day, '14:20', { status: 'no_show' }),
      frontDesk('E4', w.day, '14:30'),
      frontDesk('E5', w.day, '13:59'),
    );
    const b = await bookings.book(bookingRequest(clinicId, await w.f.slotId(clinicId, w.day, '14:00:00')));
    await w.drain(writeBack);
    expect((await bookings.get(b.id)).writeBack.status).toBe('written');
    expect(appointmentsOf(pims, b)).toHaveLength(1);
  });

  it('our own appointment is found first and never counted against the slot (a retry after the create went through)', async () => {
    const { clinicId, pims } = await w.addClinic({ capacity: 1 });
    const b = await bookings.book(bookingRequest(clinicId, await w.f.slotId(clinicId, w.day, '15:00:00')));
    // The first attempt books, then its answer is lost.
    const lossy = w.writeBack({ provider: faultyProvider(w.fake, { after: (m) => (m === 'createAppointment' ? new Error('process died') : undefined) }) });
    expect(await lossy.process(b.id)).toMatchObject({ kind: 'retry' });
    expect(appointmentsOf(pims, b)).toHaveLength(1);
    // The slot (capacity 1) now holds our appointment: the retry finds it, no conflict, nothing more booked.
    expect(await writeBack.process(b.id)).toMatchObject({ kind: 'settled', status: 'written' });
    expect(appointmentsOf(pims, b)).toHaveLength(1);
    expect((await bookings.get(b.id)).writeBack).toMatchObject({ status: 'written', pimsAppointmentId: appointmentsOf(pims, b)[0].id, attempts: 2 });
  });
});

describe('clinic write defaults', () => {
  const setUp = {
    slotIntervalMinutes: 30,
    businessHours: [{ daysOfWeek: [1, 2, 3, 4, 5, 6, 7], startTime: '09:00', endTime: '17:00' }],
    rooms: [
      { id: 'room-a', name: 'Exam A' },
      { id: 'room-b', name: 'Exam B' },
    ],
    providers: [
      { id: 'vet-a', name: 'Dr. A' },
      { id: 'vet-b', name: 'Dr. B' },
    ],
    appointmentTypes: [
      { id: 'surgery', name: 'Surgery', durationMinutes: 90 },
      { id: 'unknown', name: 'Other', durationMinutes: null },
      { id: 'exam', name: 'Exam', durationMinutes: 30 },
      { id: 'recheck', name: 'Recheck', durationMinutes: 15 },
    ],
  };

  it("without the clinic's own: the first type whose length fits the slot, the first room, the first provider of the calendar set-up", async () => {
    const { clinicId, pims } = await w.addClinic({ scheduleConfig: setUp });
    const b = await bookings.book(bookingRequest(clinicId, await w.f.slotId(clinicId, w.day, '10:30:00')));
    await w.drain(writeBack);
    const [a] = appointmentsOf(pims, b);
    expect({ type: a.type, room: a.room?.id, provider: a.provider?.id }).toEqual({ type: 'exam', room: 'room-a', provider: 'vet-a' });
  });

  it("the clinic's own choices win (the set-up fills in the rest)", async () => {
    const { clinicId, pims } = await w.addClinic({ scheduleConfig: setUp });
    expect(await writeBack.repository.setWriteDefaults(clinicId, { appointmentTypeId: 'recheck', roomId: 'room-b' })).toBe(true);
    expect(await writeBack.repository.writeDefaults(clinicId)).toEqual({ appointmentTypeId: 'recheck', roomId: 'room-b', providerId: null });
    const b = await bookings.book(bookingRequest(clinicId, await w.f.slotId(clinicId, w.day, '10:30:00')));
    await w.drain(writeBack);
    const [a] = appointmentsOf(pims, b);
    expect({ type: a.type, room: a.room?.id, provider: a.provider?.id }).toEqual({ type: 'recheck', room: 'room-b', provider: 'vet-a' });
  });

  it('with all three chosen, they reach createAppointment and the calendar set-up is not read at all', async () => {
    const { clinicId, pims } = await w.addClinic({ scheduleConfig: setUp });
    expect(await writeBack.repository.setWriteDefaults(clinicId, { appointmentTypeId: 'surgery', roomId: 'room-b', providerId: 'vet-b' })).toBe(true);
    // Reading the set-up would fail this first attempt (a new clinic: no set-up cached for its session).
    const setUpReads = w.fake.calls.getScheduleConfig;
    w.fake.failNext('getScheduleConfig', new Error('set-up read'));
    try {
      const b = await bookings.book(bookingRequest(clinicId, await w.f.slotId(clinicId, w.day, '11:00:00')));
      await w.drain(writeBack);
      const [a] = appointmentsOf(pims, b);
      // The clinic's type is taken as chosen, even one longer than the slot.
      expect({ type: a.type, room: a.room?.id, provider: a.provider?.id }).toEqual({ type: 'surgery', room: 'room-b', provider: 'vet-b' });
      expect((await bookings.get(b.id)).writeBack).toMatchObject({ status: 'written', attempts: 1 });
      expect(w.fake.calls.getScheduleConfig).toBe(setUpReads);
    } finally {
      w.fake.failNext('getScheduleConfig', new Error('set-up read'), 0);
    }
  });
});
