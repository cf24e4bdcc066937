import { describe, expect, it } from 'vitest';
import {
  collectAppointments,
  extractEventList,
  fullCalendarDayToIso,
  instantOfLocalTime,
  normalizeConsultation,
  normalizeEvent,
  normalizeScheduleConfig,
  parseEventTitle,
  resolveNeoTime,
  slotMinutes,
} from './normalize';
import { PimsAppointment } from '@pims/pims';

/** A calendar event as docs/idexx-neo-wire.md describes it. */
function wireEvent(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'A-1001',
    appointment_id: 'A-1001',
    consultation_id: 'K-501',
    start: '2026-11-20 09:00:00',
    end: '2026-11-20 09:30:00',
    arrival_date_time: null,
    patient_id: 'P-1',
    patient_name: 'Biscuit',
    species: 'Canine',
    breed: 'Beagle',
    client_id: 'C-1',
    client_title: 'Ms',
    first_name: 'Ana',
    last_name: 'Lopez',
    email: 'ana@example.com',
    phone_number: '+15551230000',
    provider: 'Dr. Rivera',
    provider_id: 'p1',
    title: 'Biscuit; Lopez, Ana',
    popup_title_text: 'Biscuit (Beagle) - Ana Lopez - Wellness Exam',
    type_description: 'Wellness Exam',
    reason: 'Annual vaccines',
    current_status: 'finalized',
    status_label: 'Finalized',
    status_class: 'status-finalized',
    confirmed_status: '1',
    cancelled_reason: null,
    resourceId: 'r1',
    appointment_room_id: 'r1',
    appointment_room_name: 'Exam 1',
    is_block: 0,
    is_roster: 0,
    recurring: 0,
    backgroundColor: '#3a87ad',
    booked_by: 'frontdesk',
    booked_at: '2026-11-01 12:00:00',
    last_updated_at: '2026-11-20 10:02:00',
    estimate_id: null,
    ...over,
  };
}

function appointmentOf(raw: unknown, zone: string) {
  const v = normalizeEvent(raw, zone);
  if (v.kind !== 'appointment') throw new Error(`expected an appointment, got ${v.kind}`);
  return v.appointment;
}

describe('normalizeEvent', () => {
  it('normalizes a wire event fully', () => {
    const a = appointmentOf(wireEvent(), 'America/New_York');
    expect(a).toEqual({
      id: 'A-1001',
      date: '2026-11-20',
      startTime: '09:00:00',
      endDate: '2026-11-20',
      endTime: '09:30:00',
      startAt: '2026-11-20T14:00:00.000Z',
      endAt: '2026-11-20T14:30:00.000Z',
      status: 'completed',
      rawStatus: 'finalized',
      type: 'Wellness Exam',
      reason: 'Annual vaccines',
      consultationId: 'K-501',
      provider: { id: 'p1', name: 'Dr. Rivera' },
      room: { id: 'r1', name: 'Exam 1' },
      patient: { id: 'P-1', name: 'Biscuit', species: 'Canine', breed: 'Beagle' },
      client: { id: 'C-1', firstName: 'Ana', lastName: 'Lopez', phone: '+15551230000', email: 'ana@example.com' },
      lastUpdatedAt: '2026-11-20 10:02:00',
    });
    expect(PimsAppointment.safeParse(a).success).toBe(true);
  });

  it('converts clinic-local times with the clinic zone, far east and far west', () => {
    const east = appointmentOf(wireEvent({ start: '2026-11-20 00:30:00', end: '2026-11-20 01:00:00' }), 'Pacific/Kiritimati');
    expect(east.startAt).toBe('2026-11-19T10:30:00.000Z'); // UTC+14
    expect(east.date).toBe('2026-11-20');
    const tokyo = appointmentOf(wireEvent({ start: '2026-11-20 08:00:00' }), 'Asia/Tokyo');
    expect(tokyo.startAt).toBe('2026-11-19T23:00:00.000Z');
    const west = appointmentOf(wireEvent({ start: '2026-11-20 23:30:00', end: '2026-11-21 00:15:00' }), 'Pacific/Pago_Pago');
    expect(west.startAt).toBe('2026-11-21T10:30:00.000Z'); // UTC-11
    expect(west.date).toBe('2026-11-20');
    expect(west.endDate).toBe('2026-11-21');
    expect(west.endTime).toBe('00:15:00');
  });

  it('handles DST: a time in the spring-forward gap and an ambiguous fall-back time', () => {
    const gap = appointmentOf(wireEvent({ start: '2026-03-08 02:30:00', end: '2026-03-08 03:30:00' }), 'America/New_York');
    expect(gap.startAt).toBe('2026-03-08T07:30:00.000Z'); // read with EST, as Temporal's "compatible"
    expect(gap.endAt).toBe('2026-03-08T07:30:00.000Z');
    const amb = appointmentOf(wireEvent({ start: '2026-11-01 01:30:00', end: '2026-11-01 02:00:00' }), 'America/New_York');
    expect(amb.startAt).toBe('2026-11-01T05:30:00.000Z'); // the first 01:30 (EDT)
    expect(instantOfLocalTime('2026-07-01', '12:00:30', 'Europe/London')?.toISOString()).toBe('2026-07-01T11:00:30.000Z');
  });

  it('accepts T-separated times, times without seconds and ISO times with an offset', () => {
    expect(resolveNeoTime('2026-11-20T09:00', 'Asia/Tokyo')).toMatchObject({ date: '2026-11-20', time: '09:00:00' });
    const off = resolveNeoTime('2026-11-20T00:00:00Z', 'Asia/Tokyo');
    expect(off).toMatchObject({ date: '2026-11-20', time: '09:00:00' });
    expect(off?.instant.toISOString()).toBe('2026-11-20T00:00:00.000Z');
    expect(resolveNeoTime('2026-11-20 25:00:00', 'Asia/Tokyo')).toBeNull();
    expect(resolveNeoTime('tomorrow', 'Asia/Tokyo')).toBeNull();
    expect(resolveNeoTime(12345, 'Asia/Tokyo')).toBeNull();
  });

  it('excludes blocks and rosters, with 0/1 flags in any form', () => {
    expect(normalizeEvent(wireEvent({ is_block: 1, patient_id: null }), 'UTC')).toEqual({ kind: 'excluded', id: 'A-1001', reason: 'block' });
    expect(normalizeEvent(wireEvent({ is_roster: '1' }), 'UTC')).toMatchObject({ kind: 'excluded', reason: 'roster' });
    expect(normalizeEvent(wireEvent({ is_block: true }), 'UTC')).toMatchObject({ kind: 'excluded' });
    expect(normalizeEvent(wireEvent({ is_block: '0', is_roster: false }), 'UTC')).toMatchObject({ kind: 'appointment' });
    // A block without an id or start is still a block, not a malformed visit.
    expect(normalizeEvent({ is_block: 1 }, 'UTC')).toMatchObject({ kind: 'excluded', id: null });
  });

  it('marks records without id or start, or with unreadable times, as malformed', () => {
    const noId = wireEvent();
    delete noId.id;
    delete noId.appointment_id;
    expect(normalizeEvent(noId, 'UTC')).toMatchObject({ kind: 'malformed', reason: 'missing id' });
    const noStart = wireEvent();
    delete noStart.start;
    expect(normalizeEvent(noStart, 'UTC')).toMatchObject({ kind: 'malformed', id: 'A-1001', reason: 'missing start' });
    expect(normalizeEvent(wireEvent({ start: '20/11/2026 09:00' }), 'UTC')).toMatchObject({ kind: 'malformed', reason: 'unreadable start' });
    expect(normalizeEvent(wireEvent({ id: '' , appointment_id: null }), 'UTC')).toMatchObject({ kind: 'malformed' });
    expect(normalizeEvent(null, 'UTC')).toMatchObject({ kind: 'malformed' });
    expect(normalizeEvent('x', 'UTC')).toMatchObject({ kind: 'malformed' });
  });

  it('tolerates missing or bad ends and optional fields', () => {
    const noEnd = appointmentOf(wireEvent({ end: null }), 'UTC');
    expect(noEnd.endAt).toBe(noEnd.startAt);
    const backwards = appointmentOf(wireEvent({ end: '2026-11-20 08:00:00' }), 'UTC');
    expect(backwards.endTime).toBe('09:00:00');
    const withDuration = appointmentOf(wireEvent({ end: undefined, duration: 45 }), 'UTC');
    expect(withDuration.endTime).toBe('09:45:00');
    const bare = appointmentOf({ id: 77, start: '2026-11-20 09:00:00' }, 'UTC');
    expect(bare).toMatchObject({ id: '77', status: 'scheduled', rawStatus: null, patient: null, client: null, provider: null, room: null, consultationId: null, lastUpdatedAt: null });
  });

  it('maps every Neo status word and keeps the raw word', () => {
    const words: Record<string, string> = {
      'not arrived': 'scheduled',
      confirmed: 'confirmed',
      arrived: 'checked_in',
      'in progress': 'in_progress',
      'ready to pay': 'completed',
      finalized: 'completed',
      'no show': 'no_show',
      cancelled: 'cancelled',
      'Something New': 'scheduled',
    };
    for (const [word, status] of Object.entries(words)) {
      const a = appointmentOf(wireEvent({ current_status: word }), 'UTC');
      expect([a.status, a.rawStatus]).toEqual([status, word]);
    }
    const fromLabel = appointmentOf(wireEvent({ current_status: null, status_label: 'Ready To Pay' }), 'UTC');
    expect(fromLabel.status).toBe('completed');
    const fromClass = appointmentOf(wireEvent({ current_status: undefined, status_label: undefined, status_class: 'status-no-show' }), 'UTC');
    expect(fromClass.status).toBe('no_show');
  });

  it('falls back to the title for names, and to nested objects', () => {
    const a = appointmentOf(wireEvent({ patient_name: null, first_name: null, last_name: null }), 'UTC');
    expect(a.patient?.name).toBe('Biscuit');
    expect(a.client).toMatchObject({ firstName: 'Ana', lastName: 'Lopez' });
    expect(parseEventTitle('Rex; Smith, John')).toEqual({ patient: 'Rex', lastName: 'Smith', firstName: 'John' });
    expect(parseEventTitle('Staff meeting')).toEqual({ patient: null, lastName: null, firstName: null });
    const nested = appointmentOf(
      {
        id: 'X',
        startAtLocal: '2026-11-20 09:00:00',
        endAtLocal: '2026-11-20 09:20:00',
        status: 'arrived',
        patient: { id: 'P', name: 'Tom', species: 'Feline', breed: null, client: { id: 'C', firstName: 'A', lastName: 'B', phone: null, email: null } },
        appointmentType: { id: 't', name: 'Consult' },
        appointmentRoom: { id: 'r2', name: 'Exam 2' },
        provider: { id: 'p2', name: 'Dr. Chen' },
      },
      'UTC',
    );
    expect(nested).toMatchObject({ status: 'checked_in', type: 'Consult', room: { id: 'r2', name: 'Exam 2' }, provider: { id: 'p2', name: 'Dr. Chen' }, patient: { name: 'Tom' }, client: { id: 'C' } });
  });

  it('treats a consultation id of 0 or empty as none, and numbers as strings', () => {
    expect(appointmentOf(wireEvent({ consultation_id: '0' }), 'UTC').consultationId).toBeNull();
    expect(appointmentOf(wireEvent({ consultation_id: '' }), 'UTC').consultationId).toBeNull();
    expect(appointmentOf(wireEvent({ consultation_id: 501 }), 'UTC').consultationId).toBe('501');
  });
});

describe('extractEventList', () => {
  it('accepts events, appointments, data and a bare array', () => {
    const e = [wireEvent()];
    expect(extractEventList({ events: e, resources: [] })).toBe(e);
    expect(extractEventList({ appointments: e })).toBe(e);
    expect(extractEventList({ data: e })).toBe(e);
    expect(extractEventList({ data: { events: e } })).toBe(e);
    expect(extractEventList(e)).toBe(e);
  });

  it('throws pims_bad_response for any other shape', () => {
    for (const body of [{}, { events: 'nope' }, null, 'x', 42, { error: 'x' }]) {
      expect(() => extractEventList(body)).toThrow(expect.objectContaining({ code: 'pims_bad_response' }));
    }
  });
});

describe('collectAppointments', () => {
  it('excludes blocks/rosters, skips malformed, de-duplicates, keeps only the window, sorts', () => {
    const noId = wireEvent();
    delete noId.id;
    delete noId.appointment_id;
    const raw = [
      wireEvent({ id: 'B', start: '2026-11-21 10:00:00', end: '2026-11-21 10:30:00' }),
      wireEvent({ id: 'A', start: '2026-11-20 09:00:00' }),
      wireEvent({ id: 'BLK', is_block: 1 }),
      wireEvent({ id: 'BLK', is_block: 1 }),
      wireEvent({ id: 'ROS', is_roster: 1 }),
      noId,
      wireEvent({ id: 'C', start: null }),
      wireEvent({ id: 'A', start: '2026-11-20 09:00:00', last_updated_at: '2026-11-21 00:00:00', current_status: 'no show' }),
      wireEvent({ id: 'A', start: '2026-11-20 09:00:00', last_updated_at: '2026-11-20 00:00:00', current_status: 'arrived' }),
      wireEvent({ id: 'OUT', start: '2026-11-23 00:00:00' }),
      wireEvent({ id: 'EARLY', start: '2026-11-19 23:59:59' }),
    ];
    const r = collectAppointments(raw, 'Asia/Tokyo', '2026-11-20', '2026-11-22');
    expect(r.appointments.map((a) => a.id)).toEqual(['A', 'B']);
    expect(r.appointments[0].status).toBe('no_show');
    expect(r.excluded).toBe(2);
    expect(r.skipped).toBe(2);
    expect(r.skippedIds).toEqual(['C']);
  });

  it('names each unreadable record by its id once, counts those without one, and drops an unreadable copy of a record read whole', () => {
    const noId = () => {
      const e = wireEvent();
      delete e.id;
      delete e.appointment_id;
      return e;
    };
    const raw = [
      wireEvent({ id: 'M1', start: null }),
      wireEvent({ id: 'M1', start: null }), // the same record in two chunks
      wireEvent({ id: 'M2', start: 'next tuesday' }),
      wireEvent({ id: 'OK', start: null }),
      wireEvent({ id: 'OK', start: '2026-11-20 09:00:00' }),
      noId(),
      noId(),
    ];
    const r = collectAppointments(raw, 'America/New_York', '2026-11-20', '2026-11-22');
    expect(r.appointments.map((a) => a.id)).toEqual(['OK']);
    expect(r.skippedIds).toEqual(['M1', 'M2']);
    expect(r.skipped).toBe(4);
  });
});

describe('normalizeConsultation', () => {
  const body = {
    consultation: { id: 'K-501', reason: 'Ear scratching', notes: 'S: itchy O: red A: otitis P: drops', dischargeSummary: 'Keep Biscuit rested.', date: '2026-11-20', status: 'Completed' },
    patient: { id: 'P-1', name: 'Biscuit', species: 'Canine', breed: 'Beagle' },
    client: { id: 'C-1', firstName: 'Ana', lastName: 'Lopez', phone: null, email: null },
    pageData: { providers: [{ id: 'p1', name: 'Dr. Rivera' }] },
    consultationNotes: { notes: 'S: itchy O: red A: otitis P: drops' },
    diagnoses: [{ id: 'd1', name: 'Otitis externa' }, { id: 'd2', name: 'Pruritus' }],
    consultationLines: [
      { id: 'l1', productService: 'Rabies vaccine', quantity: 1, isDeclined: false },
      { id: 'l2', productService: 'Ear drops', quantity: '2.5', isDeclined: 1 },
      { id: 'l3', productService: '', quantity: 1, isDeclined: false },
    ],
  };

  it('reads notes, discharge summary, diagnoses and products', () => {
    expect(normalizeConsultation(body, 'K-501')).toEqual({
      id: 'K-501',
      status: 'Completed',
      notes: 'S: itchy O: red A: otitis P: drops',
      dischargeSummary: 'Keep Biscuit rested.',
      diagnoses: ['Otitis externa', 'Pruritus'],
      products: [
        { name: 'Rabies vaccine', quantity: 1, isDeclined: false },
        { name: 'Ear drops', quantity: 2.5, isDeclined: true },
      ],
      reason: 'Ear scratching',
      date: '2026-11-20',
    });
  });

  it('takes notes from consultationNotes when the consultation has none', () => {
    const b = { ...body, consultation: { ...body.consultation, notes: null }, consultationNotes: { notes: 'From the notes tab' } };
    expect(normalizeConsultation(b, 'K-501').notes).toBe('From the notes tab');
    const none = { consultation: { id: 9 } };
    expect(normalizeConsultation(none, '9')).toMatchObject({ id: '9', notes: null, dischargeSummary: null, diagnoses: [], products: [] });
  });

  it('throws pims_bad_response without a consultation object', () => {
    expect(() => normalizeConsultation({ error: 'x' }, 'K')).toThrow(expect.objectContaining({ code: 'pims_bad_response' }));
    expect(() => normalizeConsultation([], 'K')).toThrow(expect.objectContaining({ code: 'pims_bad_response' }));
  });
});

describe('normalizeScheduleConfig', () => {
  it('converts FullCalendar weekdays to ISO and reads rooms and providers', () => {
    const cfg = normalizeScheduleConfig({
      slotInterval: 15,
      businessHours: [
        { daysOfWeek: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '18:00' },
        { daysOfWeek: [6, 0], startTime: '09:00:00', endTime: '24:00' },
        { daysOfWeek: [7], startTime: '10:00', endTime: '12:00' },
      ],
      appointmentTypes: [{ id: 't1', name: 'Wellness', duration: 30, color: '#fff' }],
      appointmentRooms: [
        { id: 'r2', name: 'Exam 2', position: 2 },
        { id: 'r1', name: 'Exam 1', position: 1 },
      ],
      providers: [{ id: 'p1', name: 'Dr. Rivera' }],
    });
    expect(cfg).toEqual({
      slotIntervalMinutes: 15,
      businessHours: [
        { daysOfWeek: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '18:00' },
        { daysOfWeek: [6, 7], startTime: '09:00', endTime: '24:00' },
        { daysOfWeek: [7], startTime: '10:00', endTime: '12:00' },
      ],
      rooms: [
        { id: 'r1', name: 'Exam 1' },
        { id: 'r2', name: 'Exam 2' },
      ],
      providers: [{ id: 'p1', name: 'Dr. Rivera' }],
      appointmentTypes: [{ id: 't1', name: 'Wellness', durationMinutes: 30 }],
    });
  });

  it('reads appointment types with their length in minutes (null when unreadable); none listed = left out', () => {
    const cfg = normalizeScheduleConfig({
      businessHours: [],
      appointmentTypes: [
        { id: 't1', name: 'Surgery', duration: 90, color: '#f00' },
        { id: 2, name: ' Recheck ', duration: '15' },
        { id: 't3', name: 'Long', duration: '01:30' },
        { id: 't4', name: 'Open', duration: 0 },
        { id: 't5', name: 'Odd', duration: 'soon' },
        { id: 't6' },
        { name: 'No id', duration: 30 },
        'junk',
      ],
    });
    expect(cfg.appointmentTypes).toEqual([
      { id: 't1', name: 'Surgery', durationMinutes: 90 },
      { id: '2', name: 'Recheck', durationMinutes: 15 },
      { id: 't3', name: 'Long', durationMinutes: 90 },
      { id: 't4', name: 'Open', durationMinutes: null },
      { id: 't5', name: 'Odd', durationMinutes: null },
      { id: 't6', name: 't6', durationMinutes: null },
    ]);
    expect(normalizeScheduleConfig({ businessHours: [], appointmentTypes: [] }).appointmentTypes).toEqual([]);
    expect(normalizeScheduleConfig({ businessHours: [] })).not.toHaveProperty('appointmentTypes');
  });

  it('reads slot intervals in several forms and defaults to 30', () => {
    expect(slotMinutes('00:20:00')).toBe(20);
    expect(slotMinutes('10')).toBe(10);
    expect(slotMinutes(0)).toBeNull();
    expect(normalizeScheduleConfig({ businessHours: [] }).slotIntervalMinutes).toBe(30);
    expect(fullCalendarDayToIso(0)).toBe(7);
    expect(fullCalendarDayToIso(7)).toBe(7);
    expect(fullCalendarDayToIso(3)).toBe(3);
    expect(fullCalendarDayToIso(8)).toBeNull();
  });

  it('throws pims_bad_response for a wrong shape', () => {
    expect(() => normalizeScheduleConfig('x')).toThrow(expect.objectContaining({ code: 'pims_bad_response' }));
    expect(() => normalizeScheduleConfig({ businessHours: 'always' })).toThrow(expect.objectContaining({ code: 'pims_bad_response' }));
  });
});
