import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startEzyvetSimulator, type EzyvetSimulator } from './server';
import { EzyClient, postJson, records } from './testing/http-client';
import { EZY_CREDS, FIXED_NOW, epoch, smallClinic } from './testing/fixtures';

let sim: EzyvetSimulator;
let client: EzyClient;

beforeEach(async () => {
  await sim?.close();
  sim = await startEzyvetSimulator({
    scenario: { clinics: [smallClinic()] },
    now: FIXED_NOW,
    rateLimitPerMinute: 0,
  });
  client = new EzyClient(sim.url, EZY_CREDS);
});
afterAll(() => sim.close());

const one = (body: Record<string, unknown>, resource: string) => records(body, resource)[0];
const booking = (over: Record<string, unknown> = {}) => ({
  startTime: '2026-11-23T14:00:00-05:00',
  durationMinutes: 30,
  type: 'appointmenttype_t2',
  animal: 'animal_P-1',
  contact: 'contact_C-1',
  provider: 'resource_p1',
  appointmentStatus: 'unconfirmed',
  description: 'Limping [PIMS Sync ref BK-1]',
  ...over,
});
const messageType = (body: Record<string, unknown>) => (body.messages as { type: string }[])[0].type;

describe('creating contacts, contact details and animals', () => {
  it('POST /v1/contact, /v1/contactdetail, /v1/animal answer the new record; it is listed at once', async () => {
    const c = await client.call('POST', '/v1/contact', {
      first_name: 'Maya',
      last_name: 'Reyes',
      is_customer: 1,
    });
    expect(c.status).toBe(200);
    const contact = one(c.body, 'contact');
    expect(contact).toMatchObject({
      first_name: 'Maya',
      last_name: 'Reyes',
      active: 1,
      created_at: epoch(FIXED_NOW),
      uid: `contact_${contact.id}`,
    });
    const phone = await client.call('POST', '/v1/contactdetail', {
      contact_id: contact.id,
      contact_detail_type_id: '1',
      name: 'Mobile',
      value: '+1 555 010 4477',
    });
    expect(one(phone.body, 'contactdetail')).toMatchObject({
      contact_id: contact.id,
      name: 'Mobile',
      value: '+1 555 010 4477',
    });
    const a = await client.call('POST', '/v1/animal', {
      name: 'Pepper',
      contact_id: contact.id,
      species_id: '2',
    });
    const animal = one(a.body, 'animal');
    expect(animal).toMatchObject({ name: 'Pepper', contact_id: contact.id, species_id: '2', breed_id: null });
    // Found the way the provider looks (docs/ezyvet-wire.md 7.1): by the phone's last digits, then the owner's animals.
    const found = records(
      (await client.get('/v1/contactdetail', { value: { like: '%4477' }, active: 1 })).body,
      'contactdetail',
    );
    expect(found.map((d) => d.contact_id)).toEqual([contact.id]);
    expect(
      records((await client.get('/v1/animal', { contact_id: { in: [contact.id] } })).body, 'animal').map(
        (x) => x.name,
      ),
    ).toEqual(['Pepper']);
    expect(sim.stats().requests).toMatchObject({ createContact: 1, createContactDetail: 1, createAnimal: 1 });
  });

  it('refuses unknown fields, a missing last name, an unknown contact, species or detail type with 400', async () => {
    const cases: [string, unknown][] = [
      ['/v1/contact', { last_name: 'X', nickname: 'x' }],
      ['/v1/contact', { first_name: 'Only' }],
      ['/v1/animal', { name: 'Rex', contact_id: 'C-404' }],
      ['/v1/animal', { name: 'Rex', contact_id: 'C-1', species_id: '999' }],
      ['/v1/contactdetail', { contact_id: 'C-1', contact_detail_type_id: '77', value: 'x' }],
    ];
    for (const [path, body] of cases) {
      const r = await client.call('POST', path, body);
      expect(r.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(messageType(r.body)).toBe('InvalidRequestException');
    }
    expect(sim.state.clinics.get('8890')!.created.contacts.size).toBe(0);
  });
});

describe('POST /ezycab/booking', () => {
  it('creates the appointment and its consult; served by /v2/appointment (by uid) and the read-out as created', async () => {
    const r = await client.call('POST', '/ezycab/booking', booking());
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      id: 'bookingRequest_1',
      appointment: expect.stringMatching(/^appointment_\d+$/),
    });
    const appt = one(
      (await client.get('/v2/appointment', { uid: String(r.body.appointment) })).body,
      'appointment',
    );
    expect(appt).toMatchObject({
      active: 1,
      start_at: epoch('2026-11-23T19:00:00Z'),
      end_at: epoch('2026-11-23T19:30:00Z'),
      duration: 1800,
      type_id: 't2',
      status_id: '1',
      description: 'Limping [PIMS Sync ref BK-1]',
      animal_id: 'P-1',
      contact_id: 'C-1',
      resources: [{ id: 'p1' }],
      created_at: epoch(FIXED_NOW),
      modified_at: epoch(FIXED_NOW),
    });
    const consult = one((await client.get('/v1/consult', { id: String(appt.consult_id) })).body, 'consult');
    expect(consult).toMatchObject({
      active: 1,
      animal_id: 'P-1',
      vet_id: 'p1',
      date: epoch('2026-11-23T19:00:00Z'),
    });
    const found = records(
      (
        await client.get('/v2/appointment', {
          animal_id: 'P-1',
          start_at: epoch('2026-11-23T19:00:00Z'),
          active: 1,
        })
      ).body,
      'appointment',
    );
    expect(found.map((a) => a.id)).toEqual([appt.id]);
    expect(sim.appointments('8890').find((a) => a.id === appt.id)).toMatchObject({
      start: '2026-11-23T14:00',
      durationMinutes: 30,
      status: 'not_arrived',
      type: 'Sick Visit',
      providerId: 'p1',
      roomId: null,
      patient: { id: 'P-1', name: 'Biscuit' },
      client: {
        id: 'C-1',
        firstName: 'Ana',
        lastName: 'Lopez',
        phone: '+15551230000',
        email: 'ana@example.com',
      },
      origin: 'created',
      bookedBy: 'PIMS Sync',
    });
    expect(sim.stats().requests.booking).toBe(1);
  });

  it('a room resource books the room; confirmed books Confirmed', async () => {
    const r = await client.call(
      'POST',
      '/ezycab/booking',
      booking({ provider: 'resource_r2', appointmentStatus: 'confirmed' }),
    );
    const id = String(r.body.appointment).replace('appointment_', '');
    expect(sim.appointments('8890').find((a) => a.id === id)).toMatchObject({
      roomId: 'r2',
      providerId: null,
      status: 'confirmed',
    });
  });

  it('refuses unknown uids, an animal of another contact, a time without offset, missing fields (nothing is written)', async () => {
    const before = sim.appointments('8890').length;
    for (const over of [
      { type: 'appointmenttype_nope' },
      { animal: 'animal_P-404' },
      { provider: 'resource_x' },
      { contact: 'contact_C-2' },
      { startTime: '2026-11-23T14:00:00' },
      { startTime: '2026-02-30T14:00:00Z' },
      { durationMinutes: 0 },
      { type: 't2' },
      { colour: 'blue' },
    ]) {
      const r = await client.call('POST', '/ezycab/booking', booking(over));
      expect(r.status, JSON.stringify(over)).toBe(400);
      expect(messageType(r.body)).toBe('InvalidRequestException');
    }
    expect(sim.appointments('8890')).toHaveLength(before);
  });

  it('commitThenFail: the booking is made, its answer lost (502); looking it up finds exactly one', async () => {
    sim.setFaults({ commitThenFail: ['ezycab/booking'] });
    const r = await client.call(
      'POST',
      '/ezycab/booking',
      booking({ description: 'Lost answer [PIMS Sync ref BK-9]' }),
    );
    expect(r.status).toBe(502);
    sim.setFaults({});
    const mine = records(
      (await client.get('/v2/appointment', { description: { like: '%[PIMS Sync ref BK-9]%' } })).body,
      'appointment',
    );
    expect(mine).toHaveLength(1);
    expect(sim.appointments('8890').filter((a) => a.origin === 'created')).toHaveLength(1);
    expect(sim.stats().errors).toBe(1);
  });

  it('errorRate and rateLimitEvery answer before the write: nothing is created', async () => {
    await client.bearer();
    sim.setFaults({ errorRate: 1 });
    expect((await client.call('POST', '/ezycab/booking', booking())).status).toBeGreaterThanOrEqual(500);
    expect((await client.call('POST', '/v1/contact', { last_name: 'Nobody' })).status).toBeGreaterThanOrEqual(
      500,
    );
    sim.setFaults({ rateLimitEvery: 1 });
    expect((await client.call('POST', '/ezycab/booking', booking())).status).toBe(429);
    sim.setFaults({});
    expect(sim.appointments('8890').filter((a) => a.origin === 'created')).toEqual([]);
    expect(sim.state.clinics.get('8890')!.created.contacts.size).toBe(0);
  });
});

describe('PATCH /v2/appointment/{id} (cancel)', () => {
  it('cancels with the reason and a fresh modified_at; cancelling again succeeds', async () => {
    sim.setNow('2026-11-20T15:30:00Z');
    const r = await client.call('PATCH', '/v2/appointment/A-1002', {
      status_id: '8',
      cancellation_reason_text: 'Owner called',
    });
    expect(r.status).toBe(200);
    expect(one(r.body, 'appointment')).toMatchObject({
      id: 'A-1002',
      status_id: '8',
      cancellation_reason_text: 'Owner called',
      modified_at: epoch('2026-11-20T15:30:00Z'),
      active: 1,
    });
    expect(sim.appointments('8890').find((a) => a.id === 'A-1002')).toMatchObject({
      status: 'cancelled',
      cancelledReason: 'Owner called',
    });
    expect((await client.call('PATCH', '/v2/appointment/A-1002', { status_id: '8' })).status).toBe(200);
    expect(sim.stats().requests.cancelAppointment).toBe(2);
  });

  it('409 for a finished visit, 404 for an unknown id, 400 for an unknown status or field', async () => {
    const done = await client.call('PATCH', '/v2/appointment/A-1001', { status_id: '8' });
    expect(done.status).toBe(409);
    expect(messageType(done.body)).toBe('ConflictException');
    expect(sim.appointments('8890').find((a) => a.id === 'A-1001')!.status).toBe('finalized');
    const missing = await client.call('PATCH', '/v2/appointment/A-404', { status_id: '8' });
    expect(missing.status).toBe(404);
    expect((await client.call('PATCH', '/v2/appointment/A-1002', { status_id: '99' })).status).toBe(400);
    expect((await client.call('PATCH', '/v2/appointment/A-1002', { start_at: 1 })).status).toBe(400);
  });

  it('commitThenFail on the cancel: cancelled, answered 502', async () => {
    await postJson(sim.url, '/__sim/faults', { commitThenFail: ['/v2/appointment/'] });
    expect((await client.call('PATCH', '/v2/appointment/A-1002', { status_id: '8' })).status).toBe(502);
    await postJson(sim.url, '/__sim/faults', {});
    expect(sim.appointments('8890').find((a) => a.id === 'A-1002')!.status).toBe('cancelled');
  });
});
