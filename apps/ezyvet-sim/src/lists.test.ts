import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEzyvetSimulator, type EzyvetSimulator } from './server';
import { EzyClient, records } from './testing/http-client';
import { EZY_CREDS, FIXED_NOW, epoch, smallClinic } from './testing/fixtures';

let sim: EzyvetSimulator;
let client: EzyClient;

beforeAll(async () => {
  sim = await startEzyvetSimulator({
    scenario: { clinics: [smallClinic()] },
    now: FIXED_NOW,
    rateLimitPerMinute: 0,
  });
  client = new EzyClient(sim.url, EZY_CREDS);
});
afterAll(() => sim.close());

const ids = (body: Record<string, unknown>, resource = 'appointment') =>
  records(body, resource).map((r) => r.id);

describe('GET /v2/appointment: ezyVet field names, epoch seconds, the scenario in ezyVet words', () => {
  it('serves a visit with its type, status, resources, animal, contact and consult (ids verbatim)', async () => {
    const r = await client.get('/v2/appointment', { id: 'A-1001' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      meta: {
        timestamp: epoch(FIXED_NOW),
        items_page: 1,
        items_page_total: 1,
        items_page_size: 10,
        items_total: 1,
      },
      items: [
        {
          appointment: {
            id: 'A-1001',
            uid: 'appointment_A-1001',
            active: 1,
            created_at: epoch('2026-11-13T15:00:00Z'), // booked 2026-11-13 10:00 in New York
            modified_at: epoch('2026-11-13T15:00:00Z'),
            start_at: epoch('2026-11-20T14:00:00Z'), // 09:00 EST
            end_at: epoch('2026-11-20T14:30:00Z'),
            duration: 1800,
            type_id: 't1',
            status_id: '6',
            description: 'Annual vaccines',
            animal_id: 'P-1',
            contact_id: 'C-1',
            consult_id: 'K-501',
            resources: [{ id: 'r1' }, { id: 'p1' }],
            cancellation_reason_text: null,
          },
        },
      ],
      messages: [],
    });
  });

  it('serves blocks and rosters as appointments of the Block Out / Roster types with no animal, contact or consult', async () => {
    const all = records(
      (await client.get('/v2/appointment', { id: { in: ['B-1', 'R-1'] } })).body,
      'appointment',
    );
    expect(all).toMatchObject([
      {
        id: 'B-1',
        type_id: 'type-block',
        description: 'Lunch',
        animal_id: null,
        contact_id: null,
        consult_id: null,
        resources: [{ id: 'r1' }],
      },
      {
        id: 'R-1',
        type_id: 'type-roster',
        animal_id: null,
        contact_id: null,
        consult_id: null,
        resources: [{ id: 'p1' }],
        duration: 36000,
      },
    ]);
    const types = records((await client.get('/v2/appointmenttype', { limit: 50 })).body, 'appointmenttype');
    expect(types.map((t) => [t.id, t.name, t.duration])).toEqual([
      ['t1', 'Wellness Exam', 30],
      ['t2', 'Sick Visit', 30],
      ['t3', 'Recheck', 30],
      ['type-block', 'Block Out - Unavailable', 60],
      ['type-roster', 'Roster', 480],
    ]);
  });

  it('renders the scenario statuses with ezyVet names, a cancel with its reason', async () => {
    const statuses = records(
      (await client.get('/v1/appointmentstatus', { limit: 20 })).body,
      'appointmentstatus',
    );
    expect(statuses.map((s) => [s.id, s.name])).toEqual([
      ['1', 'Unconfirmed'],
      ['2', 'Confirmed'],
      ['3', 'Arrived'],
      ['4', 'In Consult'],
      ['5', 'Ready for Checkout'],
      ['6', 'Departed'],
      ['7', 'No Show'],
      ['8', 'Cancelled'],
    ]);
    const cancelled = records((await client.get('/v2/appointment', { status_id: 8 })).body, 'appointment');
    expect(cancelled).toMatchObject([
      { id: 'A-1003', cancellation_reason_text: 'Cancelled by client', animal_id: 'P-3', contact_id: null },
    ]);
    expect(ids((await client.get('/v2/appointment', { status_id: '7' })).body)).toEqual(['A-1000']);
  });
});

describe('paging', () => {
  it('pages through every record once, in id order; limit defaults to 10 and is cut to 200', async () => {
    const seen: unknown[] = [];
    for (let page = 1; page <= 3; page++) {
      const r = await client.get('/v2/appointment', { limit: 2, page });
      expect(r.body.meta).toMatchObject({
        items_page: page,
        items_page_total: 3,
        items_page_size: 2,
        items_total: 6,
      });
      seen.push(...ids(r.body));
    }
    expect(seen).toEqual(['A-1000', 'A-1001', 'A-1002', 'A-1003', 'B-1', 'R-1']);
    expect(ids((await client.get('/v2/appointment', { limit: 2, page: 4 })).body)).toEqual([]);
    expect((await client.get('/v2/appointment')).body.meta).toMatchObject({
      items_page_size: 10,
      items_page_total: 1,
    });
    expect((await client.get('/v2/appointment', { limit: 5000 })).body.meta).toMatchObject({
      items_page_size: 200,
    });
    expect((await client.get('/v2/appointment', { limit: 0 })).status).toBe(400);
    expect((await client.get('/v2/appointment', { page: 'two' })).status).toBe(400);
  });
});

describe('JSON filters', () => {
  it('a clinic-local day as a start_at range (gte/lt), in New York time', async () => {
    const day = { gte: epoch('2026-11-20T05:00:00Z'), lt: epoch('2026-11-21T05:00:00Z') };
    expect(ids((await client.get('/v2/appointment', { start_at: day })).body)).toEqual([
      'A-1001',
      'A-1002',
      'B-1',
      'R-1',
    ]);
    // Values may be strings of numbers, as ezyVet's own examples quote them.
    const asText = { gte: String(day.gte), lt: String(day.lt) };
    expect(ids((await client.get('/v2/appointment', { start_at: asText })).body)).toEqual([
      'A-1001',
      'A-1002',
      'B-1',
      'R-1',
    ]);
  });

  it('in, like (case-sensitive, % wildcards), neq, eq, and several filters AND-ed', async () => {
    expect(
      ids((await client.get('/v2/appointment', { id: { in: ['A-1003', 'A-1000', 'nope'] } })).body),
    ).toEqual(['A-1000', 'A-1003']);
    expect(ids((await client.get('/v2/appointment', { description: { like: '%vacc%' } })).body)).toEqual([
      'A-1001',
    ]);
    expect(ids((await client.get('/v2/appointment', { description: { like: '%VACC%' } })).body)).toEqual([]);
    expect(
      ids((await client.get('/v2/appointment', { type_id: { neq: 't3' }, status_id: { eq: '1' } })).body),
    ).toEqual(['A-1002', 'B-1', 'R-1']);
    expect(ids((await client.get('/v2/appointment', { active: 1, animal_id: 'P-1' })).body)).toEqual([
      'A-1001',
    ]);
    expect(ids((await client.get('/v2/appointment', { active: 'true', animal_id: 'P-2' })).body)).toEqual([
      'A-1002',
    ]);
  });

  it('answers 400 InvalidRequestException for an unknown field, bad JSON or an unknown comparator', async () => {
    for (const f of [
      { colour: 'red' },
      { start_at: '{"gte":' },
      { start_at: { between: [1, 2] } },
      { id: { in: 'A-1001' } },
    ]) {
      const r = await client.get('/v2/appointment', f);
      expect(r.status, JSON.stringify(f)).toBe(400);
      expect((r.body.messages as { type: string }[])[0].type).toBe('InvalidRequestException');
    }
  });
});

describe('records by id and the other lists', () => {
  it('GET <list>/<id> answers an envelope of one, or 404; an unknown path 404', async () => {
    const one = await client.get('/v2/appointment/A-1002');
    expect(one.status).toBe(200);
    expect(ids(one.body)).toEqual(['A-1002']);
    const missing = await client.get('/v1/consult/K-404');
    expect(missing.status).toBe(404);
    expect((missing.body.messages as { type: string }[])[0].type).toBe('NotFoundException');
    expect((await client.get('/v9/unknown')).status).toBe(404);
  });

  it('resources: rooms and providers as ezyVet calendar resources', async () => {
    const rs = records((await client.get('/v2/resource')).body, 'resource');
    expect(rs.map((r) => [r.id, r.name, r.type])).toEqual([
      ['p1', 'Dr. Rivera', 'Vet'],
      ['r1', 'Exam 1', 'Room'],
      ['r2', 'Exam 2', 'Room'],
    ]);
  });

  it('the consult and its clinical record: notes, discharge summary, diagnoses, products', async () => {
    const consult = records((await client.get('/v1/consult', { id: 'K-501' })).body, 'consult')[0];
    expect(consult).toMatchObject({
      id: 'K-501',
      active: 1,
      date: epoch('2026-11-20T14:00:00Z'),
      animal_id: 'P-1',
      vet_id: 'p1',
      reason: 'Annual vaccines',
      status: 'Completed',
      // updatedAt 10:02 local is after the simulator's now (10:00): ezyVet never dates a change in the future.
      modified_at: epoch(FIXED_NOW),
    });
    const notes = records((await client.get('/v1/assessment', { consult_id: 'K-501' })).body, 'assessment');
    expect(notes.map((n) => n.notes)).toEqual(['S: itchy O: red ears A: otitis P: drops']);
    const plans = records((await client.get('/v1/plan', { consult_id: 'K-501' })).body, 'plan');
    expect(plans.map((n) => n.notes)).toEqual(['Keep Biscuit rested for 24 hours.']);
    const links = records(
      (await client.get('/v1/presentingproblemlink', { consult_id: 'K-501' })).body,
      'presentingproblemlink',
    );
    expect(links).toHaveLength(1);
    const problems = records(
      (await client.get('/v1/presentingproblem', { id: { in: links.map((l) => l.presenting_problem_id) } }))
        .body,
      'presentingproblem',
    );
    expect(problems.map((p) => p.name)).toEqual(['Otitis externa']);
    const lines = records((await client.get('/v1/invoiceline', { consult_id: 'K-501' })).body, 'invoiceline');
    expect(lines).toMatchObject([{ name: 'Rabies vaccine', quantity: 1, is_declined: 0 }]);
  });

  it('contacts with their phone and email details, animals with species and breed', async () => {
    const contacts = records(
      (await client.get('/v1/contact', { id: { in: ['C-1', 'C-2'] } })).body,
      'contact',
    );
    expect(contacts).toMatchObject([
      { id: 'C-1', first_name: 'Ana', last_name: 'Lopez', is_customer: 1 },
      { id: 'C-2', first_name: 'Ben', last_name: 'Ng' },
    ]);
    const details = records(
      (await client.get('/v1/contactdetail', { contact_id: { in: ['C-1', 'C-2'] } })).body,
      'contactdetail',
    );
    const types = records((await client.get('/v1/contactdetailtype')).body, 'contactdetailtype');
    const typeName = (id: unknown) => types.find((t) => t.id === id)?.name;
    expect(details.map((d) => [d.contact_id, typeName(d.contact_detail_type_id), d.value])).toEqual([
      ['C-1', 'Email', 'ana@example.com'],
      ['C-1', 'Mobile', '+15551230000'],
    ]);
    expect(
      records((await client.get('/v1/contactdetail', { value: { like: '%0000' } })).body, 'contactdetail'),
    ).toHaveLength(1);
    const [animal] = records((await client.get('/v1/animal', { id: 'P-1' })).body, 'animal');
    expect(animal).toMatchObject({ name: 'Biscuit', contact_id: 'C-1', species_id: '1' });
    const species = records(
      (await client.get('/v1/species', { id: String(animal.species_id) })).body,
      'species',
    );
    expect(species.map((s) => s.name)).toEqual(['Canine']);
    const breed = records((await client.get('/v1/breed', { id: String(animal.breed_id) })).body, 'breed');
    expect(breed).toMatchObject([{ name: 'Beagle', species_id: '1' }]);
  });

  it('site information: the zone, business hours (ISO weekdays) and slot interval', async () => {
    const [site] = records((await client.get('/v3/siteInformation')).body, 'siteinformation');
    expect(site).toMatchObject({
      timezone: 'America/New_York',
      business_hours: [{ days_of_week: [1, 2, 3, 4, 5], start_time: '08:00', end_time: '18:00' }],
      slot_interval: 30,
    });
  });
});
