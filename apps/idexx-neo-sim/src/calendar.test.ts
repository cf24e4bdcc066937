import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from './server';
import { NeoHttpClient, postJson } from './testing/http-client';
import { CREDS, FIXED_NOW, smallClinic } from './testing/fixtures';

type Event = Record<string, unknown>;

let sim: Simulator;
let client: NeoHttpClient;

const EVENT_FIELDS = [
  'id',
  'appointment_id',
  'consultation_id',
  'start',
  'end',
  'arrival_date_time',
  'patient_id',
  'patient_name',
  'species',
  'breed',
  'client_id',
  'client_title',
  'first_name',
  'last_name',
  'email',
  'phone_number',
  'provider',
  'provider_id',
  'title',
  'popup_title_text',
  'type_description',
  'reason',
  'current_status',
  'status_label',
  'status_class',
  'confirmed_status',
  'cancelled_reason',
  'resourceId',
  'appointment_room_id',
  'appointment_room_name',
  'is_block',
  'is_roster',
  'recurring',
  'backgroundColor',
  'booked_by',
  'booked_at',
  'last_updated_at',
  'estimate_id',
];

async function events(start: string, end: string): Promise<Event[]> {
  const res = await client.getJson(
    `/appointments/getCalendarEventData?start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}`,
  );
  expect(res.status).toBe(200);
  const body = (await res.json()) as { events: Event[]; resources: unknown[] };
  expect(body.resources).toEqual([
    { id: 'r1', title: 'Exam 1' },
    { id: 'r2', title: 'Exam 2' },
  ]);
  return body.events;
}

beforeAll(async () => {
  sim = await startSimulator({ now: FIXED_NOW, scenario: { clinics: [smallClinic()] } });
  client = new NeoHttpClient(sim.url);
  expect((await client.login(CREDS)).status).toBe(302);
});
afterAll(() => sim.close());

describe('getCalendarEventData', () => {
  it('returns the events whose clinic-local start is >= start and < end, in order', async () => {
    const day = await events('2026-11-20 00:00:00', '2026-11-21 00:00:00');
    expect(day.map((e) => e.id)).toEqual(['R-1', 'A-1001', 'A-1002', 'B-1']);
    expect((await events('2026-11-20 09:00:00', '2026-11-20 11:00:00')).map((e) => e.id)).toEqual(['A-1001']);
    expect((await events('2026-11-21 00:00:00', '2026-11-22 00:00:00')).map((e) => e.id)).toEqual(['A-1003']);
    expect((await events('2026-11-19 00:00:00', '2026-11-20 00:00:00')).map((e) => e.id)).toEqual(['A-1000']);
    // Date-only and ISO forms are read too.
    expect((await events('2026-11-20', '2026-11-21')).length).toBe(4);
    expect((await events('2026-11-20T00:00:00', '2026-11-20T23:59:59')).length).toBe(4);
  });

  it('serves Neo field names, clinic-local times and the status words with spaces', async () => {
    const [roster, visit, pending, lunch] = await events('2026-11-20 00:00:00', '2026-11-21 00:00:00');
    for (const e of [roster, visit, pending, lunch])
      expect(Object.keys(e).sort()).toEqual([...EVENT_FIELDS].sort());
    expect(visit).toMatchObject({
      id: 'A-1001',
      appointment_id: 'A-1001',
      consultation_id: 'K-501',
      start: '2026-11-20 09:00:00',
      end: '2026-11-20 09:30:00',
      arrival_date_time: '2026-11-20 08:55:00',
      patient_id: 'P-1',
      patient_name: 'Biscuit',
      species: 'Canine',
      breed: 'Beagle',
      client_id: 'C-1',
      first_name: 'Ana',
      last_name: 'Lopez',
      email: 'ana@example.com',
      phone_number: '+15551230000',
      provider: 'Dr. Rivera',
      provider_id: 'p1',
      title: 'Biscuit; Lopez, Ana',
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
      booked_at: '2026-11-13 10:00:00',
      // max(booked 2026-11-13 10:00, consultation updated 2026-11-20 10:02)
      last_updated_at: '2026-11-20 10:02:00',
    });
    expect(pending).toMatchObject({
      current_status: 'not arrived',
      status_label: 'Not Arrived',
      status_class: 'status-not-arrived',
      confirmed_status: '0',
      consultation_id: null,
      arrival_date_time: null,
    });
    // Not given: booked a week before the visit.
    expect(pending.booked_at).toBe('2026-11-13 11:00:00');
    expect(pending.last_updated_at).toBe('2026-11-13 11:00:00');
    const [cancelled] = await events('2026-11-21', '2026-11-22');
    expect(cancelled).toMatchObject({ current_status: 'cancelled', cancelled_reason: 'Cancelled by client' });
    const [noShow] = await events('2026-11-19', '2026-11-20');
    expect(noShow).toMatchObject({
      current_status: 'no show',
      status_label: 'No Show',
      status_class: 'status-no-show',
    });
  });

  it('flags blocks and rosters and leaves their patient fields empty', async () => {
    const day = await events('2026-11-20 00:00:00', '2026-11-21 00:00:00');
    const lunch = day.find((e) => e.id === 'B-1')!;
    const roster = day.find((e) => e.id === 'R-1')!;
    expect(lunch).toMatchObject({
      is_block: 1,
      is_roster: 0,
      title: 'Lunch',
      patient_id: null,
      client_id: null,
      resourceId: 'r1',
    });
    expect(roster).toMatchObject({
      is_block: 0,
      is_roster: 1,
      title: 'Dr. Rivera on duty',
      patient_id: null,
      provider: 'Dr. Rivera',
    });
  });

  it('refuses ranges longer than 31 days and bad ranges', async () => {
    const long = await client.getJson(
      '/appointments/getCalendarEventData?start=2026-11-01 00:00:00&end=2026-12-03 00:00:00',
    );
    expect(long.status).toBe(400);
    expect(await long.json()).toEqual({ error: 'Date range too large' });
    expect(
      (
        await client.getJson(
          '/appointments/getCalendarEventData?start=2026-11-01 00:00:00&end=2026-12-02 00:00:00',
        )
      ).status,
    ).toBe(200);
    expect(
      (await client.getJson('/appointments/getCalendarEventData?start=garbage&end=2026-12-02')).status,
    ).toBe(400);
    expect(
      (await client.getJson('/appointments/getCalendarEventData?start=2026-11-02&end=2026-11-01')).status,
    ).toBe(400);
  });

  it('serves malformed records on request (missing id / missing start)', async () => {
    await postJson(sim.url, '/__sim/appointments', {
      companyId: '8890',
      id: 'BAD-1',
      start: '2026-11-25T09:00',
      malformed: 'missing_id',
      patient: { id: 'P-9', name: 'Ghost' },
    });
    await postJson(sim.url, '/__sim/appointments', {
      companyId: '8890',
      id: 'BAD-2',
      start: '2026-11-25T10:00',
      malformed: 'missing_start',
    });
    const day = await events('2026-11-25', '2026-11-26');
    expect(day).toHaveLength(2);
    expect(day[0]).not.toHaveProperty('id');
    expect(day[0]).not.toHaveProperty('appointment_id');
    expect(day[0].patient_name).toBe('Ghost');
    expect(day[1].id).toBe('BAD-2');
    expect(day[1]).not.toHaveProperty('start');
    await fetch(`${sim.url}/__sim/appointments/BAD-1`, { method: 'DELETE' });
    await fetch(`${sim.url}/__sim/appointments/BAD-2`, { method: 'DELETE' });
  });
});

describe('other JSON endpoints', () => {
  it('getAppointmentView: slot interval, FullCalendar weekdays, types, rooms, providers', async () => {
    const res = await client.getJson('/appointments/getAppointmentView');
    expect(await res.json()).toEqual({
      slotInterval: 30,
      businessHours: [{ daysOfWeek: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '18:00' }],
      appointmentTypes: [
        { id: 't1', name: 'Wellness Exam', duration: 30, color: expect.any(String) },
        { id: 't2', name: 'Sick Visit', duration: 30, color: expect.any(String) },
        { id: 't3', name: 'Recheck', duration: 30, color: expect.any(String) },
      ],
      appointmentRooms: [
        { id: 'r1', name: 'Exam 1', position: 1 },
        { id: 'r2', name: 'Exam 2', position: 2 },
      ],
      providers: [{ id: 'p1', name: 'Dr. Rivera' }],
    });
  });

  it('converts ISO weekdays to FullCalendar numbers (Sunday 0)', async () => {
    sim.setScenario({
      clinics: [
        smallClinic({
          companyId: '4321',
          businessHours: [{ daysOfWeek: [6, 7], startTime: '10:00', endTime: '24:00' }],
        }),
      ],
    });
    const c = new NeoHttpClient(sim.url);
    await c.login({ ...CREDS, companyId: '4321' });
    const view = (await (await c.getJson('/appointments/getAppointmentView')).json()) as {
      businessHours: unknown;
    };
    expect(view.businessHours).toEqual([{ daysOfWeek: [6, 0], startTime: '10:00', endTime: '24:00' }]);
  });

  it('getAppointment: one appointment, 404 for an unknown id', async () => {
    const res = await client.getJson('/appointments/getAppointment?id=A-1001');
    const { appointment } = (await res.json()) as { appointment: Record<string, unknown> };
    expect(appointment).toMatchObject({
      id: 'A-1001',
      status: 'finalized',
      startAtLocal: '2026-11-20 09:00:00',
      endAtLocal: '2026-11-20 09:30:00',
      deleted: false,
      block: false,
      bookedBy: 'Front Desk',
      createdAt: '2026-11-13 10:00:00',
      patient: {
        id: 'P-1',
        name: 'Biscuit',
        species: 'Canine',
        breed: 'Beagle',
        client: {
          id: 'C-1',
          firstName: 'Ana',
          lastName: 'Lopez',
          phone: '+15551230000',
          email: 'ana@example.com',
        },
      },
      appointmentType: { id: 't1', name: 'Wellness Exam' },
      appointmentRoom: { id: 'r1', name: 'Exam 1' },
      provider: { id: 'p1', name: 'Dr. Rivera' },
      cancelledReason: null,
    });
    for (const key of ['notes', 'deleted', 'block', 'bookedBy', 'createdAt', 'cancelledReason'])
      expect(appointment).toHaveProperty(key);
    const missing = await client.getJson('/appointments/getAppointment?id=nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'Not found' });
  });

  it('consultation page-data with Neo field names; 404 for an unknown id', async () => {
    const res = await client.getJson('/consultations/K-501/page-data');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      consultation: {
        id: 'K-501',
        reason: 'Annual vaccines',
        notes: 'S: itchy O: red ears A: otitis P: drops',
        dischargeSummary: 'Keep Biscuit rested for 24 hours.',
        date: '2026-11-20 09:00:00',
        status: 'Completed',
      },
      patient: { id: 'P-1', name: 'Biscuit', species: 'Canine', breed: 'Beagle' },
      client: {
        id: 'C-1',
        firstName: 'Ana',
        lastName: 'Lopez',
        phone: '+15551230000',
        email: 'ana@example.com',
      },
      pageData: { providers: [{ id: 'p1', name: 'Dr. Rivera' }] },
      consultationNotes: { notes: 'S: itchy O: red ears A: otitis P: drops' },
      diagnoses: [{ id: 'K-501-D1', name: 'Otitis externa' }],
      consultationLines: [
        { id: 'K-501-L1', productService: 'Rabies vaccine', quantity: 1, isDeclined: false },
      ],
    });
    const missing = await client.getJson('/consultations/K-999/page-data');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'Not found' });
  });
});

describe('expired or missing session', () => {
  const paths = [
    '/appointments/getCalendarEventData?start=2026-11-20 00:00:00&end=2026-11-21 00:00:00',
    '/appointments/getAppointmentView',
    '/appointments/getAppointment?id=A-1001',
    '/consultations/K-501/page-data',
  ];

  it.each(paths)('%s: 302 to /login/ without Accept JSON, the login page (200) with it', async (path) => {
    const anon = new NeoHttpClient(sim.url);
    const plain = await anon.get(path);
    expect(plain.status).toBe(302);
    expect(plain.headers.get('location')).toBe('/login/');
    const json = await anon.getJson(path);
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toContain('text/html');
    const html = await json.text();
    expect(html).toContain('csrf_neo_token');
    expect(html).toMatch(/type="password"/);
  });

  it('treats an unknown session cookie as expired, and so does /__sim/sessions/expire', async () => {
    const stale = new NeoHttpClient(sim.url);
    stale.cookies.set('NEOSESSID', 'not-a-session');
    expect((await stale.getJson(paths[1])).headers.get('content-type')).toContain('text/html');
    const live = new NeoHttpClient(sim.url);
    await live.login(CREDS);
    expect((await live.getJson(paths[1])).headers.get('content-type')).toContain('application/json');
    expect((await postJson(sim.url, '/__sim/sessions/expire', { companyId: '8890' })).status).toBe(200);
    expect((await live.getJson(paths[1])).headers.get('content-type')).toContain('text/html');
    expect((await live.get('/schedule')).status).toBe(302);
    // Logging in again works (the client's recovery path).
    expect((await live.login(CREDS)).status).toBe(302);
    expect((await live.getJson(paths[1])).status).toBe(200);
    client = live;
  });
});

describe('scenario day/time resolution', () => {
  it("resolves day/time against the simulator's today in each clinic's zone", async () => {
    // 03:30 UTC on 8 March: still 7 March in New York, already 8 March in Auckland.
    const s = await startSimulator({
      now: '2026-03-08T03:30:00Z',
      scenario: {
        clinics: [
          smallClinic({
            companyId: '1',
            appointments: [
              { id: 'X', day: 0, time: '09:00' },
              { id: 'Y', day: -3, time: '14:30' },
            ],
            consultations: [],
          }),
          smallClinic({
            companyId: '2',
            timezone: 'Pacific/Auckland',
            appointments: [
              { id: 'X', day: 0, time: '09:00' },
              { id: 'Z', day: 1, time: '23:45' },
            ],
            consultations: [],
          }),
        ],
      },
    });
    try {
      const ny = s.state.clinics.get('1')!;
      const akl = s.state.clinics.get('2')!;
      expect(ny.appointments.get('X')!.start).toBe('2026-03-07 09:00:00');
      expect(ny.appointments.get('Y')!.start).toBe('2026-03-04 14:30:00');
      expect(akl.appointments.get('X')!.start).toBe('2026-03-08 09:00:00');
      expect(akl.appointments.get('Z')!.start).toBe('2026-03-09 23:45:00');
      expect(akl.appointments.get('Z')!.end).toBe('2026-03-10 00:15:00');
      // Moving the clock re-resolves the next scenario load, not the loaded one.
      const moved = await postJson(s.url, '/__sim/clock', { now: '2026-03-10T15:00:00Z' });
      expect(moved.status).toBe(200);
      expect(ny.appointments.get('X')!.start).toBe('2026-03-07 09:00:00');
      await postJson(s.url, '/__sim/scenario', {
        clinics: [
          smallClinic({
            companyId: '1',
            appointments: [{ id: 'X', day: 0, time: '09:00' }],
            consultations: [],
          }),
        ],
      });
      expect(s.state.clinics.get('1')!.appointments.get('X')!.start).toBe('2026-03-10 09:00:00');
      // The dashboard shows the clinic's today.
      const c = new NeoHttpClient(s.url);
      await c.login({ ...CREDS, companyId: '2' });
      expect(await (await c.get('/dashboard')).text()).toContain(
        '<span id="dashboard_today">2026-03-11</span>',
      );
    } finally {
      await s.close();
    }
  });
});
