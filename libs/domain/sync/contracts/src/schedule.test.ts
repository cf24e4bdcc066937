import { describe, expect, it } from 'vitest';
import { TestCredentialsInput } from './clinic-connection';
import { ScheduleOutput, ScheduleQuery } from './schedule';

describe('schedule API schemas', () => {
  it('the query takes real local dates only, and nothing else', () => {
    expect(ScheduleQuery.parse({})).toEqual({});
    expect(ScheduleQuery.parse({ from: '2026-03-01', to: '2026-03-14' })).toEqual({ from: '2026-03-01', to: '2026-03-14' });
    for (const bad of [{ from: '2026-02-30' }, { to: 'tomorrow' }, { days: '14' }]) expect(ScheduleQuery.safeParse(bad).success).toBe(false);
  });

  it('a slot counts whole, non-negative seats', () => {
    const slot = {
      slotId: '6f1c2a4e-8b7d-4c3a-9e2f-1a2b3c4d5e6f',
      date: '2026-03-02',
      startTime: '09:00',
      endTime: '09:30',
      startsAt: '2026-03-02T15:00:00.000Z',
      capacity: 2,
      bookedCount: 1,
      pimsAppointments: 1,
      bookings: 1,
      unlinkedBookings: 1,
      holds: 0,
      taken: 2,
      available: 0,
    };
    const out = { clinicId: slot.slotId, timezone: 'America/Chicago', today: '2026-03-01', from: '2026-03-01', to: '2026-03-14', slots: [slot] };
    expect(ScheduleOutput.parse(out).slots[0].taken).toBe(2);
    expect(ScheduleOutput.safeParse({ ...out, slots: [{ ...slot, available: -1 }] }).success).toBe(false);
  });
});

describe('test-connection credentials', () => {
  it("take either provider's log-in as POST /api/clinics does, strictly", () => {
    const neo = { provider: 'idexx_neo', baseUrl: 'https://neo.example', username: 'desk', password: 'pw' };
    const ezy = { provider: 'ezyvet', baseUrl: 'https://api.ezyvet.com', partnerId: 'p', clientId: 'c', clientSecret: 's' };
    expect(TestCredentialsInput.parse({ timezone: 'America/Chicago', pims: neo }).pims.provider).toBe('idexx_neo');
    expect(TestCredentialsInput.parse({ timezone: 'Pacific/Auckland', pims: ezy }).pims.provider).toBe('ezyvet');
    for (const bad of [
      { timezone: 'Mars/Olympus', pims: neo },
      { timezone: 'UTC', pims: { ...neo, password: '' } },
      { timezone: 'UTC', pims: { ...ezy, partnerId: undefined } },
      { timezone: 'UTC', pims: neo, name: 'extra' },
      { timezone: 'UTC', pims: { ...neo, clientSecret: 'x' } },
    ]) {
      expect(TestCredentialsInput.safeParse(bad).success).toBe(false);
    }
  });
});
