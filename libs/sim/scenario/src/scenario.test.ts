import { describe, expect, it } from 'vitest';
import { parseScenario } from './scenario';
import { smallClinic } from './testing/fixtures';

describe('scenario format', () => {
  it('fills in defaults and accepts numeric ids and the optional extras', () => {
    const r = parseScenario({
      clinics: [
        {
          companyId: 8890,
          username: 'u',
          password: 'p',
          timezone: 'Europe/London',
          mfa: true,
          showCompanyId: false,
          appointments: [{ id: 7, day: 0, time: '09:00', updatedAt: '2026-01-01T10:00:00Z' }],
        },
      ],
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const c = r.value.clinics[0];
    expect(c).toMatchObject({
      companyId: '8890',
      mfa: true,
      showCompanyId: false,
      slotInterval: 30,
      rooms: [],
      providers: [],
      consultations: [],
    });
    expect(c.businessHours).toEqual([{ daysOfWeek: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '18:00' }]);
    expect(c.appointments[0]).toMatchObject({
      id: '7',
      status: 'not_arrived',
      durationMinutes: 30,
      isBlock: false,
      isRoster: false,
    });
  });

  it('accepts every Neo status word with underscores and endTime 24:00', () => {
    const statuses = [
      'not_arrived',
      'confirmed',
      'arrived',
      'in_progress',
      'ready_to_pay',
      'finalized',
      'no_show',
      'cancelled',
    ] as const;
    const r = parseScenario({
      clinics: [
        smallClinic({
          businessHours: [{ daysOfWeek: [7], startTime: '00:00', endTime: '24:00' }],
          appointments: statuses.map((status, i) => ({ id: `S-${i}`, day: 0, time: '09:00', status })),
          consultations: [],
        }),
      ],
    });
    expect(r.ok).toBe(true);
    expect(
      parseScenario({
        clinics: [
          smallClinic({ businessHours: [{ daysOfWeek: [8], startTime: '09:00', endTime: '10:00' }] }),
        ],
      }).ok,
    ).toBe(false);
    expect(
      parseScenario({
        clinics: [
          smallClinic({ businessHours: [{ daysOfWeek: [1], startTime: '10:00', endTime: '09:00' }] }),
        ],
      }).ok,
    ).toBe(false);
  });
});
