import { describe, expect, it } from 'vitest';
import { AppError } from '@pims/util-core';
import { requireWrites } from '../provider';
import { PimsAppointment } from '../records';
import { createFakePimsProvider, fakeAppointment, fakeConsultation } from './fake-provider';

const TZ = 'America/New_York';
const creds = { baseUrl: 'https://fake.example', username: 'desk', password: 'Pass-1' };

function provider() {
  return createFakePimsProvider({
    clinics: [
      {
        username: 'desk',
        password: 'Pass-1',
        appointments: [
          fakeAppointment({ id: 'a1', date: '2026-11-30', time: '09:00', timezone: TZ, consultationId: 'k1' }),
          fakeAppointment({ id: 'a2', date: '2026-12-01', time: '23:45', timezone: TZ, durationMinutes: 30, status: 'confirmed' }),
        ],
        consultations: [fakeConsultation('k1', { diagnoses: ['Otitis'] })],
      },
    ],
  });
}

describe('the fake PIMS provider', () => {
  it('builds valid appointments with instants from the clinic zone, across midnight', () => {
    const a = fakeAppointment({ id: 'x', date: '2026-12-01', time: '23:45', timezone: TZ, durationMinutes: 30 });
    expect(PimsAppointment.parse(a)).toEqual(a);
    expect(a).toMatchObject({ startTime: '23:45:00', endDate: '2026-12-02', endTime: '00:15:00', startAt: '2026-12-02T04:45:00.000Z', endAt: '2026-12-02T05:15:00.000Z' });
    expect(() => fakeAppointment({ id: 'gap', date: '2026-03-08', time: '02:30', timezone: TZ })).toThrow(/does not exist/);
  });

  it('checks the password and answers the read side from its data', async () => {
    const p = provider();
    await expect(p.authenticate({ ...creds, password: 'wrong' }, { timezone: TZ })).rejects.toMatchObject({ code: 'pims_auth_failed' });
    const s = await p.authenticate(creds, { timezone: TZ });
    expect((await s.getAppointments('2026-11-30', '2026-11-30')).appointments.map((a) => a.id)).toEqual(['a1']);
    expect((await s.getAppointments('2026-11-01', '2026-12-31')).appointments.map((a) => a.id)).toEqual(['a1', 'a2']);
    expect(await s.getAppointment('a2')).toMatchObject({ id: 'a2', status: 'confirmed' });
    expect(await s.getAppointment('nope')).toBeNull();
    expect(await s.getConsultation('k1')).toMatchObject({ id: 'k1', diagnoses: ['Otitis'] });
    expect(await s.getConsultation('k9')).toBeNull();
    expect((await s.getScheduleConfig()).rooms).toHaveLength(2);
    expect(p.calls).toMatchObject({ authenticate: 2, getAppointments: 2, getAppointment: 2, getConsultation: 2, getScheduleConfig: 1 });
    // what the caller gets is a copy
    (await s.getAppointment('a1'))!.status = 'cancelled';
    expect((await s.getAppointment('a1'))!.status).toBe('scheduled');
    expect(p.openSessions()).toBe(1);
    await s.close();
    expect(p.openSessions()).toBe(0);
    await expect(s.getAppointment('a1')).rejects.toMatchObject({ code: 'pims_session_closed' });
  });

  it('reports the unreadable records it is told to, with their ids when given', async () => {
    const p = provider();
    const s = await p.authenticate(creds, { timezone: TZ });
    expect(await s.getAppointments('2026-11-30', '2026-11-30')).toMatchObject({ skipped: 0, excluded: 0 });
    expect((await s.getAppointments('2026-11-30', '2026-11-30')).skippedIds).toBeUndefined();
    Object.assign(p.clinic('desk'), { skipped: 3, skippedIds: ['x1', 'x2'] });
    expect(await s.getAppointments('2026-11-30', '2026-11-30')).toMatchObject({ skipped: 3, skippedIds: ['x1', 'x2'] });
  });

  it('fails a method on request', async () => {
    const p = provider();
    const s = await p.authenticate(creds, { timezone: TZ });
    p.failNext('getConsultation', new AppError('pims_unavailable', 'down'), 2);
    await expect(s.getConsultation('k1')).rejects.toMatchObject({ code: 'pims_unavailable' });
    await expect(s.getConsultation('k1')).rejects.toMatchObject({ code: 'pims_unavailable' });
    expect(await s.getConsultation('k1')).not.toBeNull();
  });

  it('writes into its own data: a new owner, pet and booking are read back, a cancel shows', async () => {
    const p = provider();
    const s = await p.authenticate(creds, { timezone: TZ });
    const w = requireWrites(s, p.name);
    expect(await w.findPatients({ phone: '(555) 000-0000' })).toHaveLength(2);
    expect(await w.findPatients({ email: 'SAM@example.com' })).toHaveLength(2);
    expect(await w.findPatients({ name: 'pet a1' })).toEqual([expect.objectContaining({ patientId: 'pet-a1', client: expect.objectContaining({ clientId: 'owner-a1' }) })]);
    await expect(w.findPatients({})).rejects.toMatchObject({ code: 'invalid_input' });

    const { clientId } = await w.createClient({ firstName: 'Ana', lastName: 'Lopez', phone: '+15551230000' });
    await expect(w.createPatient({ clientId: 'nobody', name: 'Rex' })).rejects.toMatchObject({ code: 'pims_not_found' });
    const { patientId } = await w.createPatient({ clientId, name: 'Biscuit', species: 'Canine' });
    expect(await w.findPatients({ phone: '5551230000' })).toEqual([expect.objectContaining({ patientId, name: 'Biscuit', client: expect.objectContaining({ clientId, lastName: 'Lopez' }) })]);
    await expect(w.createAppointment({ patientId: 'nobody', date: '2026-12-02', startTime: '10:00', durationMinutes: 20, reason: 'x' })).rejects.toMatchObject({ code: 'pims_not_found' });
    const { appointmentId, created } = await w.createAppointment({ patientId, date: '2026-12-02', startTime: '10:00', durationMinutes: 20, roomId: 'room-2', reason: 'Vaccines' });
    expect(created).toBe(true);
    expect(await s.getAppointment(appointmentId)).toMatchObject({
      date: '2026-12-02',
      startTime: '10:00:00',
      endTime: '10:20:00',
      startAt: '2026-12-02T15:00:00.000Z',
      status: 'scheduled',
      reason: 'Vaccines',
      room: { id: 'room-2', name: 'Exam 2' },
      patient: { id: patientId, name: 'Biscuit' },
    });
    await w.cancelAppointment(appointmentId, 'Owner called');
    await w.cancelAppointment(appointmentId, 'Owner called');
    expect((await s.getAppointments('2026-12-02', '2026-12-02')).appointments).toEqual([expect.objectContaining({ id: appointmentId, status: 'cancelled' })]);
    await expect(w.cancelAppointment('nope', 'x')).rejects.toMatchObject({ code: 'pims_not_found' });
  });

  it('finds clients by phone digits, email or name, each with its patients, across sessions', async () => {
    const p = provider();
    const w = requireWrites(await p.authenticate(creds, { timezone: TZ }), p.name);
    const { clientId } = await w.createClient({ firstName: 'Ana', lastName: 'Lopez', phone: '+1 (555) 123-0000', email: 'ana@example.com' });
    const other = requireWrites(await p.authenticate(creds, { timezone: TZ }), p.name);
    expect(await other.findClients({ phone: '5551230000' })).toEqual([
      { clientId, firstName: 'Ana', lastName: 'Lopez', phone: '+1 (555) 123-0000', phones: ['+1 (555) 123-0000'], email: 'ana@example.com', patients: [] },
    ]);
    const { patientId } = await other.createPatient({ clientId, name: 'Biscuit' });
    expect((await w.findClients({ email: 'ANA@example.com' }))[0].patients).toEqual([{ patientId, name: 'Biscuit', species: null, breed: null }]);
    expect((await w.findClients({ name: 'lope' })).map((c) => c.clientId)).toEqual([clientId]);
    expect(await w.findClients({ phone: '+15559999999' })).toEqual([]);
    await expect(w.findClients({})).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('books once: the same booking again answers the appointment it made; a reference tells two apart', async () => {
    const p = provider();
    const s = await p.authenticate(creds, { timezone: TZ });
    const w = requireWrites(s, p.name);
    const booking = { patientId: 'pet-a1', date: '2026-12-03', startTime: '09:00', durationMinutes: 30, reason: 'Vaccines' };
    expect(await w.findBookedAppointment(booking)).toBeNull();
    const first = await w.createAppointment(booking);
    expect(await w.createAppointment({ ...booking, startTime: '09:00:00' })).toEqual({ appointmentId: first.appointmentId, created: false });
    expect(await w.findBookedAppointment(booking)).toEqual({ appointmentId: first.appointmentId });
    const withRef = await w.createAppointment({ ...booking, reference: 'ABC234' });
    expect(withRef.created).toBe(true);
    expect(await w.createAppointment({ ...booking, reference: 'ABC234' })).toEqual({ appointmentId: withRef.appointmentId, created: false });
    // without a reference, any live booking of that patient there matches; a cancelled one is not live
    await w.cancelAppointment(first.appointmentId, 'Owner called');
    expect(await w.createAppointment(booking)).toEqual({ appointmentId: withRef.appointmentId, created: false });
    await w.cancelAppointment(withRef.appointmentId, 'Owner called');
    const again = await w.createAppointment(booking);
    expect(again.created).toBe(true);
    expect(again.appointmentId).not.toBe(first.appointmentId);
    // an appointment the clinic booked itself at that time is not ours
    expect(await w.findBookedAppointment({ ...booking, patientId: 'pet-a2', date: '2026-12-01', startTime: '23:45' })).toBeNull();
    expect((await s.getAppointments('2026-12-03', '2026-12-03')).appointments).toHaveLength(3);
  });
});
