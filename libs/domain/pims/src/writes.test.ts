import { describe, expect, it } from 'vitest';
import { canWrite, requireWrites } from './provider';
import { createFakePimsProvider } from './testing';
import { FindPatientsQuery, NewPimsAppointment } from './writes';

describe('write-side schemas', () => {
  it('a patient search needs a phone, an email or a name', () => {
    expect(FindPatientsQuery.safeParse({}).success).toBe(false);
    expect(FindPatientsQuery.safeParse({ name: '  ' }).success).toBe(false);
    expect(FindPatientsQuery.parse({ phone: ' +1 555 ' })).toEqual({ phone: '+1 555' });
  });

  it('an appointment is clinic-local: a date, HH:MM[:SS], whole minutes, a reason', () => {
    const ok = { patientId: 'p', date: '2026-12-01', startTime: '09:30', durationMinutes: 30, reason: 'Vaccines' };
    expect(NewPimsAppointment.safeParse(ok).success).toBe(true);
    expect(NewPimsAppointment.safeParse({ ...ok, startTime: '09:30:00' }).success).toBe(true);
    for (const bad of [{ startTime: '24:00' }, { startTime: '9:30' }, { date: '2026-12-1' }, { durationMinutes: 0 }, { durationMinutes: 7.5 }, { reason: '' }]) {
      expect(NewPimsAppointment.safeParse({ ...ok, ...bad }).success).toBe(false);
    }
  });
});

describe('the write capability', () => {
  const clinic = { username: 'u', password: 'p', appointments: [] };

  it('canWrite tells a writing session from a read-only one; requireWrites names the provider', async () => {
    const rw = await createFakePimsProvider({ clinics: [{ ...clinic }] }).authenticate({ baseUrl: 'x', username: 'u', password: 'p' }, { timezone: 'UTC' });
    const ro = await createFakePimsProvider({ name: 'idexx_neo', writes: false, clinics: [{ ...clinic }] }).authenticate({ baseUrl: 'x', username: 'u', password: 'p' }, { timezone: 'UTC' });
    expect(canWrite(rw)).toBe(true);
    expect(canWrite(ro)).toBe(false);
    expect(requireWrites(rw, 'ezyvet')).toBe(rw.writes);
    expect(() => requireWrites(ro, 'idexx_neo')).toThrowError(expect.objectContaining({ code: 'pims_write_unsupported', message: 'The idexx_neo provider cannot write into the PIMS' }));
  });
});
