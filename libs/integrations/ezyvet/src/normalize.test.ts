import { describe, expect, it } from 'vitest';
import { bookingDescription, reasonOf, toAppointment, toConsultation, toScheduleConfig, type Lookups } from './normalize';
import { EzAppointment, EzConsult } from './wire';

function lookups(over: Partial<Lookups> = {}): Lookups {
  return {
    statuses: new Map([['6', { id: '6', uid: null, active: true, created_at: null, modified_at: null, name: 'Departed' }]]),
    types: new Map([
      ['t1', { id: 't1', uid: 'appointmenttype_t1', active: true, created_at: null, modified_at: null, name: 'Wellness Exam', duration: 30 }],
      ['tb', { id: 'tb', uid: null, active: true, created_at: null, modified_at: null, name: 'Block Out - Unavailable', duration: 60 }],
    ]),
    resources: new Map([
      ['r1', { id: 'r1', uid: null, active: true, created_at: null, modified_at: null, name: 'Exam 1', type: 'Room' }],
      ['p1', { id: 'p1', uid: null, active: true, created_at: null, modified_at: null, name: 'Dr. Rivera', type: 'Vet' }],
    ]),
    animals: new Map([['P-1', { id: 'P-1', uid: null, active: true, created_at: null, modified_at: null, name: 'Biscuit', contact_id: 'C-1', species_id: 's1', breed_id: 'b1' }]]),
    contacts: new Map([['C-1', { id: 'C-1', uid: null, active: true, created_at: null, modified_at: null, first_name: 'Ana', last_name: 'Lopez' }]]),
    details: new Map([
      [
        'C-1',
        [
          { id: '2', uid: null, active: true, created_at: null, modified_at: null, contact_id: 'C-1', contact_detail_type_id: 'e', name: 'Email', value: 'ana@example.com' },
          { id: '1', uid: null, active: true, created_at: null, modified_at: null, contact_id: 'C-1', contact_detail_type_id: 'm', name: 'Mobile', value: '+15551230000' },
        ],
      ],
    ]),
    detailTypes: new Map([
      ['e', { id: 'e', uid: null, active: true, created_at: null, modified_at: null, name: 'Email' }],
      ['m', { id: 'm', uid: null, active: true, created_at: null, modified_at: null, name: 'Mobile' }],
    ]),
    consults: new Map([['K-501', EzConsult.parse({ id: 'K-501', modified_at: Date.parse('2026-11-20T15:02:00Z') / 1000 })]]),
    species: new Map([['s1', { id: 's1', uid: null, active: true, created_at: null, modified_at: null, name: 'Canine' }]]),
    breeds: new Map([['b1', { id: 'b1', uid: null, active: true, created_at: null, modified_at: null, name: 'Beagle' }]]),
    ...over,
  };
}

const start = Date.parse('2026-11-20T14:00:00Z') / 1000; // 09:00 in New York

describe('toAppointment', () => {
  it('gives clinic-local date and time from epoch seconds, with the patient, owner, room, provider and consult', () => {
    const rec = EzAppointment.parse({
      id: 'A-1001',
      start_at: start,
      duration: 1800,
      status_id: '6',
      type_id: 't1',
      description: bookingDescription('Annual vaccines', 'K7M3QX'),
      animal_id: 'P-1',
      contact_id: 'C-1',
      consult_id: 'K-501',
      resources: [{ id: 'p1' }, { id: 'r1' }],
      modified_at: start - 86_400,
    });
    const v = toAppointment(rec, lookups(), 'America/New_York');
    expect(v).toEqual({
      kind: 'appointment',
      appointment: {
        id: 'A-1001',
        date: '2026-11-20',
        startTime: '09:00:00',
        endDate: '2026-11-20',
        endTime: '09:30:00',
        startAt: '2026-11-20T14:00:00.000Z',
        endAt: '2026-11-20T14:30:00.000Z',
        status: 'completed',
        rawStatus: 'Departed',
        type: 'Wellness Exam',
        reason: 'Annual vaccines',
        consultationId: 'K-501',
        provider: { id: 'p1', name: 'Dr. Rivera' },
        room: { id: 'r1', name: 'Exam 1' },
        patient: { id: 'P-1', name: 'Biscuit', species: 'Canine', breed: 'Beagle' },
        client: { id: 'C-1', firstName: 'Ana', lastName: 'Lopez', phone: '+15551230000', email: 'ana@example.com' },
        // The later of the appointment's and its consult's change, clinic-local.
        lastUpdatedAt: '2026-11-20 10:02:00',
      },
    });
  });

  it('puts a visit on its clinic-local day at UTC+14 and UTC-11', () => {
    const rec = EzAppointment.parse({ id: 'A-1', start_at: Date.parse('2026-11-20T11:30:00Z') / 1000, duration: 900, animal_id: 'P-1' });
    const kiri = toAppointment(rec, lookups(), 'Pacific/Kiritimati');
    const pago = toAppointment(rec, lookups(), 'Pacific/Pago_Pago');
    expect(kiri.kind === 'appointment' && [kiri.appointment.date, kiri.appointment.startTime]).toEqual(['2026-11-21', '01:30:00']);
    expect(pago.kind === 'appointment' && [pago.appointment.date, pago.appointment.startTime]).toEqual(['2026-11-20', '00:30:00']);
  });

  it('leaves out blocks and rosters: no animal, or a type named Block.../Roster...', () => {
    expect(toAppointment(EzAppointment.parse({ id: 'B-1', start_at: start, type_id: 'tb' }), lookups(), 'UTC')).toEqual({ kind: 'excluded', id: 'B-1', reason: 'block' });
    expect(toAppointment(EzAppointment.parse({ id: 'B-2', start_at: start, animal_id: 'P-1', type_id: 'tb' }), lookups(), 'UTC').kind).toBe('excluded');
    const roster = lookups({ types: new Map([['tr', { id: 'tr', uid: null, active: true, created_at: null, modified_at: null, name: 'Roster', duration: null }]]) });
    expect(toAppointment(EzAppointment.parse({ id: 'R-1', start_at: start, type_id: 'tr' }), roster, 'UTC')).toEqual({ kind: 'excluded', id: 'R-1', reason: 'roster' });
  });

  it('takes an unknown status id for scheduled and keeps the id as the raw status', () => {
    const v = toAppointment(EzAppointment.parse({ id: 'A-2', start_at: start, status_id: '99', animal_id: 'P-1' }), lookups(), 'UTC');
    expect(v.kind === 'appointment' && [v.appointment.status, v.appointment.rawStatus]).toEqual(['scheduled', '99']);
  });
});

describe('booking descriptions', () => {
  it('carry the marker our reads strip from the reason', () => {
    expect(bookingDescription('Vaccines', 'K7M3QX')).toBe('Vaccines [PIMS Sync ref K7M3QX]');
    expect(reasonOf('Vaccines [PIMS Sync ref K7M3QX]')).toBe('Vaccines');
    expect(reasonOf('Vaccines [PIMS Sync]')).toBe('Vaccines');
    expect(reasonOf('Lame [left fore]')).toBe('Lame [left fore]');
  });
});

describe('toConsultation and toScheduleConfig', () => {
  it('joins the clinical record: notes from assessments, discharge summary from plans, diagnoses, products', () => {
    const c = toConsultation(
      {
        consult: EzConsult.parse({ id: 'K-501', status: 'Completed', reason: 'Annual vaccines', date: start }),
        assessments: [{ id: '1', uid: null, active: true, created_at: null, modified_at: null, consult_id: 'K-501', notes: 'S: bright' }],
        plans: [{ id: '1', uid: null, active: true, created_at: null, modified_at: null, consult_id: 'K-501', notes: 'Rest 24 h.' }],
        problems: ['Otitis externa'],
        lines: [{ id: '1', uid: null, active: true, created_at: null, modified_at: null, consult_id: 'K-501', name: 'Rabies vaccine', quantity: 1, is_declined: false }],
      },
      'America/New_York',
    );
    expect(c).toEqual({
      id: 'K-501',
      status: 'Completed',
      notes: 'S: bright',
      dischargeSummary: 'Rest 24 h.',
      diagnoses: ['Otitis externa'],
      products: [{ name: 'Rabies vaccine', quantity: 1, isDeclined: false }],
      reason: 'Annual vaccines',
      date: '2026-11-20 09:00:00',
    });
  });

  it('splits resources into rooms and providers and reads the hours of the site information', () => {
    const l = lookups();
    const config = toScheduleConfig({
      resources: [...l.resources.values()],
      types: [...l.types.values()],
      site: { timezone: 'America/New_York', business_hours: [{ days_of_week: [1, 2, 3, 4, 5], start_time: '08:00', end_time: '18:00' }], slot_interval: 30 },
    });
    expect(config).toEqual({
      slotIntervalMinutes: 30,
      businessHours: [{ daysOfWeek: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '18:00' }],
      rooms: [{ id: 'r1', name: 'Exam 1' }],
      providers: [{ id: 'p1', name: 'Dr. Rivera' }],
      appointmentTypes: [{ id: 't1', name: 'Wellness Exam', durationMinutes: 30 }],
    });
    expect(toScheduleConfig({ resources: [], types: [...l.types.values()], site: null })).toMatchObject({ businessHours: [], slotIntervalMinutes: 30 });
  });
});
