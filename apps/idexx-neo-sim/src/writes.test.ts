// The Neo write side of the simulator over real HTTP: CSRF meta token, patient and client search,
// client / patient / appointment create, appointment cancel and delete, the faults around writes,
// the stats counters and the appointments read-out.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from './server';
import { NeoHttpClient, postJson } from './testing/http-client';
import { CREDS, FIXED_NOW, smallClinic } from './testing/fixtures';

let sim: Simulator;
let client: NeoHttpClient;
let token: string;

const DAY = '/appointments/getCalendarEventData?start=2026-11-23 00:00:00&end=2026-11-24 00:00:00';

interface Readout {
  appointments: Record<string, unknown>[];
}

async function readout(companyId = '8890'): Promise<Readout> {
  const res = await fetch(`${sim.url}/__sim/clinics/${companyId}/appointments`);
  expect(res.status).toBe(200);
  return (await res.json()) as Readout;
}

async function created(): Promise<Record<string, unknown>[]> {
  return (await readout()).appointments.filter((a) => a.origin === 'created');
}

async function json(res: Response): Promise<Record<string, unknown>> {
  expect(res.headers.get('content-type')).toContain('application/json');
  return (await res.json()) as Record<string, unknown>;
}

/** A booking of Luna (P-2) on Monday 2026-11-23 at 10:00 for 30 minutes. */
function booking(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    patient_id: 'P-2',
    type_id: 't2',
    user_id: 'p1',
    room: 'r2',
    appointment_date: '2026-11-23',
    time: '10:00',
    time_end: '10:30',
    useRealEndTime: '1',
    reason: 'Vomiting again',
    ...overrides,
  };
}

beforeAll(async () => {
  sim = await startSimulator({
    now: FIXED_NOW,
    scenario: { clinics: [smallClinic(), smallClinic({ companyId: '9001', username: 'desk2' })] },
  });
});
beforeEach(async () => {
  sim.setFaults({});
  sim.setScenario({ clinics: [smallClinic()] });
  sim.resetStats();
  client = new NeoHttpClient(sim.url);
  expect((await client.login(CREDS)).status).toBe(302);
  token = (await client.csrfToken())!;
});
afterAll(() => sim.close());

describe('the CSRF meta token', () => {
  it('is on every logged-in page, one per session, with the user the writes are booked by', async () => {
    expect(token).toMatch(/^[0-9a-f]{40}$/);
    expect(await client.csrfToken('/schedule')).toBe(token);
    const dashboard = await (await client.get('/dashboard')).text();
    expect(dashboard).toContain('<span id="current_user" class="neo-user">PIMS Sync</span>');
    const other = new NeoHttpClient(sim.url);
    await other.login(CREDS);
    const otherToken = await other.csrfToken();
    expect(otherToken).not.toBe(token);
    // the login page carries no meta token
    expect(await (await new NeoHttpClient(sim.url).get('/login/')).text()).not.toContain('csrf-token');
    // a token belongs to its session
    const res = await other.write('/appointments/create', { form: booking() }, { token });
    expect(res.status).toBe(403);
    expect(await created()).toEqual([]);
  });

  it('refuses a write without it, with a wrong one, or without X-Requested-With: 403 and nothing written', async () => {
    const attempts: [string, Response][] = [
      ['no token', await client.write('/appointments/create', { form: booking() }, { token: null })],
      [
        'wrong token',
        await client.write('/appointments/create', { form: booking() }, { token: 'f'.repeat(40) }),
      ],
      [
        'no X-Requested-With',
        await client.write('/appointments/create', { form: booking() }, { token, xhr: false }),
      ],
      [
        'client without token',
        await client.write('/clients/create', { json: { firstName: 'A', lastName: 'B' } }, { token: null }),
      ],
      [
        'patient without token',
        await client.write(
          '/patients/create',
          { json: { name: 'Rex', client: { id: 'C-1' } } },
          { token: null },
        ),
      ],
      [
        'cancel without token',
        await client.write('/appointments/delete/A-1002', { json: { action: 'cancel' } }, { token: null }),
      ],
    ];
    for (const [what, res] of attempts) {
      expect(res.status, what).toBe(403);
      expect((await json(res)).success, what).toBe(false);
    }
    expect(
      (await json(await client.write('/appointments/create', { form: booking() }, { token: null }))).error,
    ).toBe('Invalid CSRF token');
    expect(await created()).toEqual([]);
    expect((await readout()).appointments.find((a) => a.id === 'A-1002')!.status).toBe('not_arrived');
    expect((await json(await client.getJson(`/clients/search?term=B`))).clients).not.toContainEqual(
      expect.objectContaining({ firstName: 'A' }),
    );
  });

  it('a write with an expired session gets the login page (as the reads do) and writes nothing', async () => {
    sim.expireSessions();
    const res = await client.write('/appointments/create', { form: booking() }, { token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('csrf_neo_token');
    const form = new NeoHttpClient(sim.url);
    const redirected = await form.request('/clients/create', { method: 'POST', body: '{}' });
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get('location')).toBe('/login/');
    expect(await created()).toEqual([]);
  });
});

describe('patient search', () => {
  it('finds patients by their name, their owner’s name, phone or email, in Neo’s shape', async () => {
    const res = await client.getJson('/search/patients?q=biscuit&json=true&suggested=true&limit=100');
    expect(res.status).toBe(200);
    const body = await json(res);
    const biscuit = {
      id: 'P-1',
      name: 'Biscuit',
      breed: { id: null, name: 'Beagle' },
      species: { id: 1, name: 'Canine' },
      gender: null,
      dob: null,
      status: 'Active',
      alive: true,
      active: true,
      client: {
        id: 'C-1',
        firstName: 'Ana',
        lastName: 'Lopez',
        homePhone: '+15551230000',
        mobilePhone: null,
      },
    };
    expect(body).toEqual({
      results: {
        patients: { data: [{ id: 'P-1', text: 'Biscuit (Lopez, Ana)' }], objects: [biscuit] },
        suggested: { objects: [biscuit] },
      },
    });
    const names = async (q: string) => {
      const r = (await json(
        await client.getJson(
          `/search/patients?q=${encodeURIComponent(q)}&json=true&suggested=true&limit=100`,
        ),
      )) as {
        results: { suggested: { objects: { name: string }[] } };
      };
      return r.results.suggested.objects.map((p) => p.name);
    };
    expect(await names('LOPEZ')).toEqual(['Biscuit']);
    expect(await names('ana lopez')).toEqual(['Biscuit']);
    expect(await names('(555) 123-0000')).toEqual(['Biscuit']);
    expect(await names('5551230000')).toEqual(['Biscuit']);
    expect(await names('ana@example.com')).toEqual(['Biscuit']);
    expect(await names('ng')).toEqual(['Luna']);
    expect(await names('Max')).toEqual(['Max']); // a patient without an owner
    expect(await names('x')).toEqual([]); // too short
    expect(await names('zebra')).toEqual([]);
  });

  it('serves numeric-looking ids as numbers, honours limit, and needs a session', async () => {
    const { clientId, patientId } = await newOwnerAndPet('Rex');
    const body = (await json(
      await client.getJson('/search/patients?q=rex&json=true&suggested=true&limit=100'),
    )) as {
      results: { suggested: { objects: { id: unknown; client: { id: unknown } | null }[] } };
    };
    expect(body.results.suggested.objects.map((p) => p.id)).toEqual([Number(patientId), 'P-4']); // by name, then id
    expect(body.results.suggested.objects[0].client!.id).toBe(Number(clientId));
    const limited = (await json(await client.getJson('/search/patients?q=rex&json=true&limit=1'))) as {
      results: { patients: { objects: unknown[] } };
    };
    expect(limited.results.patients.objects).toHaveLength(1);
    const anonymous = await new NeoHttpClient(sim.url).getJson('/search/patients?q=rex&json=true');
    expect(await anonymous.text()).toContain('csrf_neo_token');
  });
});

describe('client search and duplicate check', () => {
  it('finds clients by phone (any format), email or name, each with their patients', async () => {
    const terms = ['+1 555 123 0000', '555-123-0000', 'ANA@example.com', 'lopez', 'Lopez, Ana'];
    for (const term of terms) {
      const body = (await json(await client.getJson(`/clients/search?term=${encodeURIComponent(term)}`))) as {
        clients: unknown[];
        total: number;
      };
      expect(body, term).toEqual({
        clients: [
          {
            id: 'C-1',
            title: null,
            firstName: 'Ana',
            lastName: 'Lopez',
            homePhone: '+15551230000',
            workPhone: null,
            mobilePhone: null,
            email: 'ana@example.com',
            address1: null,
            patients: [{ id: 'P-1', name: 'Biscuit', species: 'Canine', breed: 'Beagle', alive: true }],
          },
        ],
        total: 1,
      });
    }
    expect(
      ((await json(await client.getJson('/clients/search?term=5559999999'))) as { total: number }).total,
    ).toBe(0);
  });

  it('duplicateCheck names the clients with that name or that phone', async () => {
    const ids = async (q: string) =>
      (await json(await client.getJson(`/clients/duplicateCheck?${q}`))) as {
        duplicate: boolean;
        clients: { id: string }[];
      };
    expect(await ids('firstName=ana&lastName=LOPEZ&homePhone=')).toMatchObject({
      duplicate: true,
      clients: [{ id: 'C-1' }],
    });
    expect(await ids('firstName=Zed&lastName=Zed&homePhone=(555)%20123-0000')).toMatchObject({
      duplicate: true,
      clients: [{ id: 'C-1' }],
    });
    expect(await ids('firstName=Zed&lastName=Zed&homePhone=5550001111')).toEqual({
      duplicate: false,
      clients: [],
    });
  });
});

async function newOwnerAndPet(pet = 'Pepper'): Promise<{ clientId: string; patientId: string }> {
  const c = await json(
    await client.write(
      '/clients/create',
      {
        json: {
          firstName: 'Cleo',
          lastName: 'Park',
          title: 'Ms',
          mobilePhone: '+1 (555) 777-1234',
          email: 'cleo@example.com',
          address1: '1 Main St',
        },
      },
      { token },
    ),
  );
  const clientId = (c.client as { id: string }).id;
  const p = await json(
    await client.write(
      '/patients/create',
      {
        json: {
          name: pet,
          species: { id: 2, name: 'Feline' },
          breed: { id: null, name: 'Tabby' },
          gender: { id: 'f', name: 'Female' },
          dob: '2020-05-01',
          client: { id: clientId },
        },
      },
      { token },
    ),
  );
  return { clientId, patientId: (p.patient as { id: string }).id };
}

describe('client and patient create', () => {
  it('creates a client and a patient, found by the searches afterwards', async () => {
    const res = await client.write(
      '/clients/create',
      {
        json: {
          firstName: 'Cleo',
          lastName: 'Park',
          mobilePhone: '+15557771234',
          email: 'cleo@example.com',
          unknownNeoField: 'kept quiet',
        },
      },
      { token },
    );
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({
      success: true,
      client: {
        firstName: 'Cleo',
        lastName: 'Park',
        mobilePhone: '+15557771234',
        email: 'cleo@example.com',
        homePhone: null,
      },
    });
    const clientId = (body.client as { id: string }).id;
    expect(clientId).toMatch(/^\d+$/);

    const pet = await json(
      await client.write(
        '/patients/create',
        {
          json: {
            name: 'Pepper',
            species: { id: '2', name: 'Feline' },
            breed: { name: 'Tabby' },
            client: { id: clientId, firstName: 'Cleo' },
          },
        },
        { token },
      ),
    );
    expect(pet).toMatchObject({
      success: true,
      patient: {
        name: 'Pepper',
        species: { id: '2', name: 'Feline' },
        breed: { id: null, name: 'Tabby' },
        client: { id: clientId, lastName: 'Park' },
      },
    });
    const patientId = (pet.patient as { id: string }).id;
    expect(patientId).toMatch(/^\d+$/);
    expect(patientId).not.toBe(clientId);

    const found = (await json(await client.getJson('/clients/search?term=5557771234'))) as {
      clients: { id: string; patients: { id: string; name: string }[] }[];
    };
    expect(found.clients).toEqual([
      expect.objectContaining({
        id: clientId,
        patients: [{ id: patientId, name: 'Pepper', species: 'Feline', breed: 'Tabby', alive: true }],
      }),
    ]);
    const search = (await json(
      await client.getJson('/search/patients?q=pepper&json=true&suggested=true&limit=100'),
    )) as {
      results: { suggested: { objects: { id: number; client: { id: number; mobilePhone: string } }[] } };
    };
    expect(search.results.suggested.objects).toEqual([
      expect.objectContaining({
        id: Number(patientId),
        client: expect.objectContaining({ id: Number(clientId), mobilePhone: '+15557771234' }),
      }),
    ]);
    // species by id alone is looked up in Neo's list
    const byId = await json(
      await client.write(
        '/patients/create',
        { json: { name: 'Tom', species: { id: 1 }, client: { id: clientId } } },
        { token },
      ),
    );
    expect(byId).toMatchObject({ patient: { species: { id: '1', name: 'Canine' }, breed: null } });
  });

  it('refuses what Neo would: missing names, species as a string, an unknown owner, a body that is not JSON', async () => {
    const refused = async (path: string, body: unknown) => {
      const res = await client.write(path, { json: body }, { token });
      expect(res.status).toBe(422);
      const b = await json(res);
      expect(b.success).toBe(false);
      return b.errors as Record<string, string[]>;
    };
    expect(await refused('/clients/create', { firstName: 'Cleo' })).toEqual({
      lastName: ['Last name is required'],
    });
    expect(await refused('/clients/create', { firstName: ' ', lastName: 'Park' })).toEqual({
      firstName: ['First name is required'],
    });
    expect(
      await refused('/patients/create', { name: 'Rex', species: 'Canine', client: { id: 'C-1' } }),
    ).toEqual({ species: ['species must be an object {id, name}'] });
    expect(await refused('/patients/create', { name: 'Rex', breed: {}, client: { id: 'C-1' } })).toEqual({
      breed: ['breed must name an entry: {id, name}'],
    });
    expect(await refused('/patients/create', { name: 'Rex', client: { id: 'C-404' } })).toEqual({
      client: ['Client not found'],
    });
    expect(Object.keys(await refused('/patients/create', { name: 'Rex' }))).toEqual(['client']);
    const notJson = await client.request('/clients/create', {
      method: 'POST',
      headers: {
        'X-Requested-With': 'XMLHttpRequest',
        'X-CSRF-Token': token,
        'content-type': 'application/json',
      },
      body: '{nope',
    });
    expect(notJson.status).toBe(400);
    expect(((await json(await client.getJson('/clients/search?term=park'))) as { total: number }).total).toBe(
      0,
    );
  });
});

describe('appointment create', () => {
  it('answers {success: true} with no id; the visit is on the calendar like any other, booked by the integration', async () => {
    const res = await client.write('/appointments/create', { form: booking() }, { token });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ success: true });
    const events = ((await json(await client.getJson(DAY))) as { events: Record<string, unknown>[] }).events;
    expect(events).toHaveLength(1);
    const e = events[0];
    expect(e).toMatchObject({
      start: '2026-11-23 10:00:00',
      end: '2026-11-23 10:30:00',
      patient_id: 'P-2',
      patient_name: 'Luna',
      client_id: 'C-2',
      first_name: 'Ben',
      last_name: 'Ng',
      type_description: 'Sick Visit',
      reason: 'Vomiting again',
      provider: 'Dr. Rivera',
      provider_id: 'p1',
      resourceId: 'r2',
      appointment_room_name: 'Exam 2',
      current_status: 'not arrived',
      is_block: 0,
      booked_by: 'PIMS Sync',
      booked_at: '2026-11-20 10:00:00',
      last_updated_at: '2026-11-20 10:00:00',
      title: 'Luna; Ng, Ben',
    });
    expect(e.id).toMatch(/^\d+$/);
    expect(e.appointment_id).toBe(e.id);
    const detail = (await json(await client.getJson(`/appointments/getAppointment?id=${String(e.id)}`))) as {
      appointment: Record<string, unknown>;
    };
    expect(detail.appointment).toMatchObject({
      id: e.id,
      bookedBy: 'PIMS Sync',
      deleted: false,
      appointmentType: { id: 't2', name: 'Sick Visit' },
    });
    expect(await created()).toEqual([
      {
        id: e.id,
        start: '2026-11-23T10:00',
        durationMinutes: 30,
        status: 'not_arrived',
        type: 'Sick Visit',
        reason: 'Vomiting again',
        roomId: 'r2',
        providerId: 'p1',
        patient: { id: 'P-2', name: 'Luna' },
        client: { id: 'C-2', firstName: 'Ben', lastName: 'Ng', phone: null, email: null },
        origin: 'created',
        isBlock: false,
        isRoster: false,
        bookedBy: 'PIMS Sync',
        bookedAt: '2026-11-20T10:00',
        notes: null,
        cancelledReason: null,
      },
    ]);
  });

  it('books the owner and pet it created, takes notes, ends after midnight, and uses the type’s length without useRealEndTime', async () => {
    const { patientId } = await newOwnerAndPet();
    expect(
      (
        await client.write(
          '/appointments/create',
          { form: booking({ patient_id: patientId, time: '23:45', time_end: '00:15', notes: 'ref ABC234' }) },
          { token },
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await client.write(
          '/appointments/create',
          {
            form: booking({
              patient_id: patientId,
              time: '08:00',
              time_end: '08:10',
              useRealEndTime: '0',
              type_id: 't1',
            }),
          },
          { token },
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await client.write(
          '/appointments/create',
          { form: { patient_id: patientId, appointment_date: '2026-11-24', time: '09:00' } },
          { token },
        )
      ).status,
    ).toBe(200);
    const mine = await created();
    expect(mine.map((a) => [a.start, a.durationMinutes, a.type, a.notes])).toEqual([
      ['2026-11-23T08:00', 30, 'Wellness Exam', null],
      ['2026-11-23T23:45', 30, 'Sick Visit', 'ref ABC234'],
      ['2026-11-24T09:00', 30, null, null], // no type, no end: one slot
    ]);
    expect(mine[1]).toMatchObject({
      patient: { id: patientId, name: 'Pepper' },
      client: { firstName: 'Cleo', lastName: 'Park', phone: '+1 (555) 777-1234', email: 'cleo@example.com' },
    });
    const detail = (await json(
      await client.getJson(`/appointments/getAppointment?id=${String(mine[1].id)}`),
    )) as { appointment: Record<string, unknown> };
    expect(detail.appointment).toMatchObject({ notes: 'ref ABC234', endAtLocal: '2026-11-24 00:15:00' });
  });

  it('refuses an unknown patient, type, provider or room, a missing time, and a JSON body (422, nothing written)', async () => {
    const cases: [Record<string, string>, string][] = [
      [booking({ patient_id: 'P-404' }), 'patient_id'],
      [booking({ patient_id: '' }), 'patient_id'],
      [booking({ type_id: 't99' }), 'type_id'],
      [booking({ user_id: 'p9' }), 'user_id'],
      [booking({ room: 'r9' }), 'room'],
      [booking({ time: '25:00' }), 'time'],
      [booking({ appointment_date: '23/11/2026' }), 'time'],
      [booking({ time_end: 'soon' }), 'time_end'],
    ];
    for (const [form, field] of cases) {
      const res = await client.write('/appointments/create', { form }, { token });
      expect(res.status, field).toBe(422);
      const body = await json(res);
      expect(body.success).toBe(false);
      expect(Object.keys(body.errors as object), JSON.stringify(form)).toContain(field);
    }
    const asJson = await client.write('/appointments/create', { json: booking() }, { token });
    expect(asJson.status).toBe(422);
    expect(await created()).toEqual([]);
  });
});

describe('appointment cancel and delete', () => {
  it('cancel keeps it as cancelled with the reason (again: no change); delete removes it', async () => {
    const before = (await readout()).appointments.find((a) => a.id === 'A-1002')!;
    expect(before.status).toBe('not_arrived');
    const res = await client.write(
      '/appointments/delete/A-1002',
      { json: { action: 'cancel', reason: 'Owner called' } },
      { token },
    );
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ success: true });
    const range = '/appointments/getCalendarEventData?start=2026-11-20 00:00:00&end=2026-11-21 00:00:00';
    const ev = (
      (await json(await client.getJson(range))) as { events: Record<string, unknown>[] }
    ).events.find((e) => e.id === 'A-1002')!;
    expect(ev).toMatchObject({
      current_status: 'cancelled',
      cancelled_reason: 'Owner called',
      last_updated_at: '2026-11-20 10:00:00',
    });
    expect(
      (
        await client.write(
          '/appointments/delete/A-1002',
          { json: { action: 'cancel', reason: 'Twice' } },
          { token },
        )
      ).status,
    ).toBe(200);
    expect((await readout()).appointments.find((a) => a.id === 'A-1002')).toMatchObject({
      status: 'cancelled',
      cancelledReason: 'Owner called',
    });

    expect(
      (await client.write('/appointments/delete/A-1002', { json: { action: 'delete' } }, { token })).status,
    ).toBe(200);
    expect((await readout()).appointments.find((a) => a.id === 'A-1002')).toBeUndefined();
    expect((await client.getJson('/appointments/getAppointment?id=A-1002')).status).toBe(404);
  });

  it('404 for an unknown id, 409 for a visit that has started, 422 for an unknown action', async () => {
    const unknown = await client.write(
      '/appointments/delete/A-404',
      { json: { action: 'cancel', reason: 'x' } },
      { token },
    );
    expect(unknown.status).toBe(404);
    expect(await json(unknown)).toEqual({ success: false, error: 'Not found' });
    const finished = await client.write(
      '/appointments/delete/A-1001',
      { json: { action: 'cancel', reason: 'x' } },
      { token },
    );
    expect(finished.status).toBe(409);
    expect((await json(finished)).error).toBe('The appointment is finalized and cannot be cancelled');
    const bad = await client.write('/appointments/delete/A-1002', { json: { action: 'archive' } }, { token });
    expect(bad.status).toBe(422);
    expect((await readout()).appointments.find((a) => a.id === 'A-1001')!.status).toBe('finalized');
    expect((await readout()).appointments.find((a) => a.id === 'A-1002')!.status).toBe('not_arrived');
  });
});

describe('faults around writes', () => {
  it('commitThenFail: the matching write is carried out, then answered 502 as if the answer was lost', async () => {
    sim.setFaults({ commitThenFail: ['/appointments/create'] });
    const res = await client.write('/appointments/create', { form: booking() }, { token });
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('502 Bad Gateway');
    expect(await created()).toHaveLength(1);
    // other writes are not affected; a refused write is not carried out and keeps its refusal
    expect(
      (await client.write('/appointments/delete/A-1002', { json: { action: 'cancel' } }, { token })).status,
    ).toBe(200);
    expect((await client.write('/appointments/create', { form: booking() }, { token: null })).status).toBe(
      403,
    );
    expect(
      (await client.write('/appointments/create', { form: booking({ patient_id: 'nobody' }) }, { token }))
        .status,
    ).toBe(422);
    expect(await created()).toHaveLength(1);
    expect(sim.stats()).toMatchObject({
      errors: 1,
      requests: { createAppointment: 3, deleteAppointment: 1 },
    });

    sim.setFaults({ commitThenFail: ['delete', '/clients/create'] });
    expect(
      (await client.write('/appointments/delete/A-1002', { json: { action: 'delete' } }, { token })).status,
    ).toBe(502);
    expect((await readout()).appointments.find((a) => a.id === 'A-1002')).toBeUndefined();
    expect(
      (await client.write('/clients/create', { json: { firstName: 'Lost', lastName: 'Answer' } }, { token }))
        .status,
    ).toBe(502);
    expect(
      ((await json(await client.getJson('/clients/search?term=answer'))) as { total: number }).total,
    ).toBe(1);
    expect((await postJson(sim.url, '/__sim/faults', { commitThenFail: [''] })).status).toBe(400);
  });

  it('errorRate, rateLimitEvery and failPaths answer before the write: nothing is written', async () => {
    sim.setFaults({ errorRate: 1 });
    const failed = await client.write('/appointments/create', { form: booking() }, { token });
    expect([500, 502, 503]).toContain(failed.status);
    expect((await client.getJson('/search/patients?q=luna&json=true')).status).toBeGreaterThanOrEqual(500);
    expect((await client.getJson('/clients/search?term=ng')).status).toBeGreaterThanOrEqual(500);
    sim.setFaults({ failPaths: ['/appointments/create'] });
    expect((await client.write('/appointments/create', { form: booking() }, { token })).status).toBe(503);
    sim.setFaults({ rateLimitEvery: 1 });
    const limited = await client.write('/appointments/create', { form: booking() }, { token });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(await created()).toEqual([]);
    expect(sim.stats()).toMatchObject({ errors: 4, rateLimited: 1 });
  });

  it('sessionTtlSeconds: an old session’s write gets the login page, a new log-in writes', async () => {
    sim.setFaults({ sessionTtlSeconds: 0.001 });
    await new Promise((r) => setTimeout(r, 20));
    expect(
      await (await client.write('/appointments/create', { form: booking() }, { token })).text(),
    ).toContain('csrf_neo_token');
    sim.setFaults({});
    const fresh = new NeoHttpClient(sim.url);
    await fresh.login(CREDS);
    expect(
      (await fresh.write('/appointments/create', { form: booking() }, { token: (await fresh.csrfToken())! }))
        .status,
    ).toBe(200);
    expect(await created()).toHaveLength(1);
  });
});

describe('stats and read-out', () => {
  it('counts each write endpoint and the patient search, in total and by company', async () => {
    const { patientId } = await newOwnerAndPet();
    await client.getJson('/search/patients?q=luna&json=true');
    await client.getJson('/clients/search?term=ng'); // no counter of its own
    await client.write('/appointments/create', { form: booking({ patient_id: patientId }) }, { token });
    await client.write('/appointments/create', { form: booking() }, { token: null }); // refused, still counted
    await client.write('/appointments/delete/A-1002', { json: { action: 'cancel' } }, { token });
    const writes = {
      createAppointment: 2,
      deleteAppointment: 1,
      searchPatients: 1,
      createClient: 1,
      createPatient: 1,
    };
    const s = sim.stats();
    expect(s.requests).toMatchObject(writes);
    expect(s.byCompany['8890'].requests).toMatchObject(writes);
    expect(s.requests.getCalendarEventData + s.requests.getAppointment).toBe(0);
  });

  it('GET /__sim/clinics/:companyId/appointments: every appointment as the PIMS holds it, cancelled ones included', async () => {
    const all = (await readout()).appointments;
    expect(all.map((a) => a.id)).toEqual(['A-1000', 'R-1', 'A-1001', 'A-1002', 'B-1', 'A-1003']);
    expect(all.find((a) => a.id === 'A-1001')).toEqual({
      id: 'A-1001',
      start: '2026-11-20T09:00',
      durationMinutes: 30,
      status: 'finalized',
      type: 'Wellness Exam',
      reason: 'Annual vaccines',
      roomId: 'r1',
      providerId: 'p1',
      patient: { id: 'P-1', name: 'Biscuit' },
      client: {
        id: 'C-1',
        firstName: 'Ana',
        lastName: 'Lopez',
        phone: '+15551230000',
        email: 'ana@example.com',
      },
      origin: 'scenario',
      isBlock: false,
      isRoster: false,
      bookedBy: 'Front Desk',
      bookedAt: '2026-11-13T10:00',
      notes: null,
      cancelledReason: null,
    });
    expect(all.find((a) => a.id === 'A-1003')).toMatchObject({
      status: 'cancelled',
      client: null,
      cancelledReason: 'Cancelled by client',
    });
    expect(sim.appointments('8890')).toEqual(all);
    const unknown = await fetch(`${sim.url}/__sim/clinics/nope/appointments`);
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ error: 'Unknown clinic nope' });
  });

  it('a clinic’s userDisplayName is its pages’ user and its writes’ booked_by', async () => {
    sim.setScenario({ clinics: [smallClinic({ userDisplayName: 'Online Booking (VetVoice)' })] });
    const c = new NeoHttpClient(sim.url);
    await c.login(CREDS);
    expect(await (await c.get('/dashboard')).text()).toContain('>Online Booking (VetVoice)</span>');
    expect(
      (await c.write('/appointments/create', { form: booking() }, { token: (await c.csrfToken())! })).status,
    ).toBe(200);
    expect(await created()).toEqual([expect.objectContaining({ bookedBy: 'Online Booking (VetVoice)' })]);
  });
});
