import type { ClinicScenarioInput } from '../scenario';

/** A small, hand-written clinic for tests (New York, fixed clock 2026-11-20T15:00:00Z = 10:00 local). */
export const FIXED_NOW = '2026-11-20T15:00:00Z';

export function smallClinic(overrides: Partial<ClinicScenarioInput> = {}): ClinicScenarioInput {
  return {
    companyId: '8890',
    name: 'Test Clinic',
    username: 'frontdesk',
    password: 'Sim-Pass-2026!',
    timezone: 'America/New_York',
    businessHours: [{ daysOfWeek: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '18:00' }],
    slotInterval: 30,
    rooms: [
      { id: 'r1', name: 'Exam 1' },
      { id: 'r2', name: 'Exam 2' },
    ],
    providers: [{ id: 'p1', name: 'Dr. Rivera' }],
    appointments: [
      {
        id: 'A-1001',
        start: '2026-11-20T09:00',
        durationMinutes: 30,
        status: 'finalized',
        type: 'Wellness Exam',
        reason: 'Annual vaccines',
        providerId: 'p1',
        roomId: 'r1',
        patient: { id: 'P-1', name: 'Biscuit', species: 'Canine', breed: 'Beagle' },
        client: {
          id: 'C-1',
          firstName: 'Ana',
          lastName: 'Lopez',
          phone: '+15551230000',
          email: 'ana@example.com',
        },
        consultationId: 'K-501',
        bookedAt: '2026-11-13T10:00',
      },
      {
        id: 'A-1002',
        start: '2026-11-20T11:00',
        status: 'not_arrived',
        type: 'Sick Visit',
        reason: 'Vomiting',
        providerId: 'p1',
        roomId: 'r2',
        patient: { id: 'P-2', name: 'Luna', species: 'Feline', breed: 'Siamese' },
        client: { id: 'C-2', firstName: 'Ben', lastName: 'Ng' },
      },
      {
        id: 'B-1',
        start: '2026-11-20T12:00',
        durationMinutes: 60,
        isBlock: true,
        title: 'Lunch',
        roomId: 'r1',
      },
      { id: 'R-1', start: '2026-11-20T08:00', durationMinutes: 600, isRoster: true, providerId: 'p1' },
      {
        id: 'A-1003',
        start: '2026-11-21T00:00',
        status: 'cancelled',
        type: 'Recheck',
        patient: { id: 'P-3', name: 'Max' },
      },
      {
        id: 'A-1000',
        start: '2026-11-19T23:59',
        status: 'no_show',
        type: 'Recheck',
        patient: { id: 'P-4', name: 'Rex' },
      },
    ],
    consultations: [
      {
        id: 'K-501',
        status: 'Completed',
        notes: 'S: itchy O: red ears A: otitis P: drops',
        dischargeSummary: 'Keep Biscuit rested for 24 hours.',
        diagnoses: ['Otitis externa'],
        lines: [{ productService: 'Rabies vaccine', quantity: 1, isDeclined: false }],
        updatedAt: '2026-11-20T10:02:00',
      },
    ],
    ...overrides,
  };
}

export const CREDS = { companyId: '8890', username: 'frontdesk', password: 'Sim-Pass-2026!' };
