// Vapi's tool calls (CONTRACT section 8) through the app on a real PostgreSQL: the secret, the
// message shapes Vapi sends, the five tools in a conversation, the same toolCallId answered the same
// (also when two deliveries race through two app instances on two pools), and the clinic's calendar
// in and out whatever zone the caller or the server is in.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BookAppointmentResult,
  CancelAppointmentResult,
  CheckAvailabilityResult,
  ClinicHoursResult,
  ErrorBody,
  RescheduleAppointmentResult,
  VAPI_TOOL_NAMES,
  VapiToolCallsResponse,
  VapiToolsOutput,
  vapiToolDefinitions,
} from '@pims/sync-contracts';
import { idempotencyKeyFor, ScheduleRepository, type SlotRow } from '@pims/sync-data-access';
import { addDays, instantOfLocal, todayIn } from '@pims/util';
import { createHttpApp } from '../../composition';
import { EnvError, loadEnv } from '../../env';
import { startService } from '../../service';
import { serviceEnv, testSecrets } from '../../testing/e2e';
import { captureLogger, clinicInput, startApiHarness, TEST_API_KEY, type ApiHarness } from '../../testing/harness';

const SECRET = 'vapi-test-secret-0123456789abcdef';
const NY = 'America/New_York';

let h: ApiHarness;
/** A second app on the same database with its own pool: another process. */
let h2: ApiHarness;
type App = ReturnType<typeof createHttpApp>;
let app: App;
let app2: App;
let schedule: ScheduleRepository;

beforeAll(async () => {
  h = await startApiHarness({ poolMax: 10 });
  h2 = await startApiHarness({ poolMax: 10, database: h.db, credentialsKey: h.credentialsKey });
  app = createHttpApp(h.services, { apiKey: TEST_API_KEY, logger: captureLogger().logger, vapiSecret: SECRET });
  app2 = createHttpApp(h2.services, { apiKey: TEST_API_KEY, logger: captureLogger().logger, vapiSecret: SECRET });
  schedule = new ScheduleRepository(h.db.pool);
});
afterAll(async () => {
  await h2?.close();
  await h?.close();
});

const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await h.db.pool.query(sql, params)).rows as T[];
const hhmm = (x: number) => `${String(Math.floor(x / 60)).padStart(2, '0')}:${String(x % 60).padStart(2, '0')}`;
const tomorrowIn = (tz: string) => addDays(todayIn(tz, { now: () => new Date() }), 1);

interface TestClinic {
  id: string;
  assistantId: string;
  /** The clinic's tomorrow and the day after (local calendar days wholly in the future). */
  d1: string;
  d2: string;
}

/**
 * A clinic open 09:00-12:00 every day (30-minute slots, `capacity` seats) linked to a fresh Vapi
 * assistant id, with its slots on its tomorrow and the day after, written as the forward sync
 * writes them.
 */
async function newClinic(opts: { timezone?: string; capacity?: number; businessHours?: boolean } = {}): Promise<TestClinic> {
  const tz = opts.timezone ?? NY;
  const capacity = opts.capacity ?? 1;
  const res = await h.request(
    'POST',
    '/api/clinics',
    clinicInput({
      name: `Clinic ${randomUUID().slice(0, 8)}`,
      timezone: tz,
      ...(opts.businessHours === false ? {} : { schedule: { openTime: '09:00', closeTime: '12:00', daysOfWeek: [1, 2, 3, 4, 5, 6, 7], slotDurationMinutes: 30, capacity } }),
    }),
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id: string = res.body.id;
  const assistantId = `asst_${randomUUID()}`;
  await q(`update public.clinics set voice_assistant_id = $2 where id = $1`, [id, assistantId]);
  const d1 = tomorrowIn(tz);
  const d2 = addDays(d1, 1);
  const slots: SlotRow[] = [];
  for (const date of [d1, d2]) {
    for (let m = 9 * 60; m < 12 * 60; m += 30) {
      const start = instantOfLocal(date, hhmm(m), tz)!;
      slots.push({ date, startTime: `${hhmm(m)}:00`, endTime: `${hhmm(m + 30)}:00`, startAt: start.toISOString(), endAt: new Date(start.getTime() + 30 * 60_000).toISOString(), capacity });
    }
  }
  await schedule.replaceSlots(id, d1, d2, slots);
  return { id, assistantId, d1, d2 };
}

interface Call {
  id?: string;
  name: string;
  args?: unknown;
}

/** Vapi's tool-calls server message (the shape of its docs), with the caller's number. */
function message(assistantId: string | null, calls: Call[], opts: { callerNumber?: string | null } = {}) {
  return {
    message: {
      type: 'tool-calls',
      timestamp: Date.now(),
      toolCallList: calls.map((c) => ({ id: c.id ?? `call_${randomUUID()}`, type: 'function', function: { name: c.name, arguments: c.args ?? {} } })),
      call: {
        id: `call-${randomUUID()}`,
        orgId: 'org-1',
        type: 'inboundPhoneCall',
        ...(assistantId ? { assistantId } : {}),
        customer: opts.callerNumber === null ? {} : { number: opts.callerNumber ?? '+12125550199' },
      },
      ...(assistantId ? { assistant: { id: assistantId, name: 'Front desk' } } : {}),
      phoneNumber: { number: '+12125550100' },
      artifact: { messages: [] },
    },
  };
}

async function post(body: unknown, headers: Record<string, string> = { 'x-vapi-secret': SECRET }, on: App = app) {
  const init: RequestInit = { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) };
  const res = await on.request('/api/vapi/tool-calls', init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The answers of a message (200, one per call, in order). */
async function answers(body: unknown, on: App = app) {
  const res = await post(body, { 'x-vapi-secret': SECRET }, on);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return VapiToolCallsResponse.parse(res.body).results;
}

/** One tool call's parsed result (it must be a result, not an error). */
async function tool(c: TestClinic, name: string, args: unknown, opts: { id?: string; callerNumber?: string | null } = {}) {
  const [a] = await answers(message(c.assistantId, [{ id: opts.id, name, args }], opts));
  expect(a.name).toBe(name);
  if (!('result' in a)) throw new Error(`expected a result, got the error: ${a.error}`);
  return JSON.parse(a.result) as unknown;
}

function expectError(res: { status: number; body: unknown }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  const body = ErrorBody.parse(res.body);
  expect(body.error.code).toBe(code);
  return body.error;
}

const booking = (c: TestClinic, date: string, time: string, extra: Record<string, unknown> = {}) => ({
  date,
  time,
  firstName: 'Ana',
  lastName: 'Lopez',
  phone: '(212) 555-0142',
  petName: 'Biscuit',
  species: 'dog',
  reason: 'Annual vaccines',
  ...extra,
});

const bookingsOf = (clinicId: string) =>
  q<{ id: string; status: string; date: string; start_time: string; source: string; phone: string; idempotency_key: string | null; confirmation_number: string }>(
    `select id, status, date::text as date, start_time::text as start_time, source, client ->> 'phone' as phone, idempotency_key, confirmation_number
     from public.bookings where clinic_id = $1 order by created_at`,
    [clinicId],
  );

describe('the secret', () => {
  it('VAPI_SECRET is read from the environment: optional, at least 16 characters', () => {
    const base = { PIMS_SYNC_API_KEY: 'a-long-enough-api-key', CREDENTIALS_KEY: Buffer.alloc(32, 7).toString('base64') };
    expect(loadEnv(base).vapiSecret).toBeUndefined();
    expect(loadEnv({ ...base, VAPI_SECRET: '  ' }).vapiSecret).toBeUndefined();
    expect(loadEnv({ ...base, VAPI_SECRET: SECRET }).vapiSecret).toBe(SECRET);
    expect(() => loadEnv({ ...base, VAPI_SECRET: 'short' })).toThrow(EnvError);
    expect(() => loadEnv({ ...base, VAPI_SECRET: 'short' })).toThrow(/VAPI_SECRET: must be at least 16 characters/);
  });

  it('answers 401 without x-vapi-secret, with a wrong one, or with only the API key; 200 with the secret or it as a bearer token', async () => {
    const c = await newClinic();
    const body = message(c.assistantId, [{ name: 'get_clinic_hours' }]);
    expectError(await post(body, {}), 401, 'unauthorized');
    expectError(await post(body, { 'x-vapi-secret': 'wrong-secret' }), 401, 'unauthorized');
    expectError(await post(body, { 'x-vapi-secret': `${SECRET}x` }), 401, 'unauthorized');
    expectError(await post(body, { 'x-api-key': TEST_API_KEY }), 401, 'unauthorized');
    expectError(await post(body, { authorization: 'Bearer wrong-secret' }), 401, 'unauthorized');
    expect((await post(body, { 'x-vapi-secret': SECRET })).status).toBe(200);
    expect((await post(body, { authorization: `Bearer ${SECRET}` })).status).toBe(200);
    // The secret never appears in an answer.
    expect(JSON.stringify((await post(body, { 'x-vapi-secret': 'wrong-secret' })).body)).not.toContain(SECRET);
  });

  it('the service started from its environment takes VAPI_SECRET for tool calls over HTTP', async () => {
    const secrets = testSecrets();
    const svc = await startService(loadEnv(serviceEnv(h.db.connectionString, secrets, { PIMS_SYNC_ROLE: 'api', VAPI_SECRET: SECRET })), { logger: captureLogger().logger });
    try {
      const body = JSON.stringify(message(`asst_${randomUUID()}`, [{ id: 'call_http', name: 'get_clinic_hours' }]));
      const send = (headers: Record<string, string>) => fetch(`${svc.url}/api/vapi/tool-calls`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const ok = await send({ 'x-vapi-secret': SECRET });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ results: [{ toolCallId: 'call_http', error: expect.stringMatching(/not connected to a clinic/) }] });
      expect((await send({ 'x-vapi-secret': 'wrong-secret' })).status).toBe(401);
      expect((await send({ 'x-api-key': secrets.apiKey })).status).toBe(401);
    } finally {
      await svc.stop();
    }
  });

  it('answers 503 vapi_not_configured when VAPI_SECRET is not set, whatever the headers', async () => {
    const c = await newClinic();
    const body = message(c.assistantId, [{ name: 'get_clinic_hours' }]);
    // The harness's own app was built without a secret.
    for (const headers of [{ 'x-vapi-secret': SECRET }, { 'x-vapi-secret': '' }, {}] as Record<string, string>[]) {
      expectError(await post(body, headers, h.app), 503, 'vapi_not_configured');
    }
  });

  it('GET /api/vapi/tools needs the API key and answers the five tools generated from the argument schemas', async () => {
    expectError(await h.request('GET', '/api/vapi/tools', undefined, {}), 401, 'unauthorized');
    expectError(await h.request('GET', '/api/vapi/tools', undefined, { 'x-vapi-secret': SECRET }), 401, 'unauthorized');
    const res = await h.request('GET', '/api/vapi/tools');
    expect(res.status).toBe(200);
    const { tools } = VapiToolsOutput.parse(res.body);
    expect(res.body).toEqual(vapiToolDefinitions());
    expect(tools.map((t) => t.function.name)).toEqual([...VAPI_TOOL_NAMES]);
    const byName = Object.fromEntries(tools.map((t) => [t.function.name, t.function.parameters as { type: string; properties: Record<string, { pattern?: string }>; required?: string[] }]));
    for (const p of Object.values(byName)) expect(p.type).toBe('object');
    expect(byName.check_availability.required).toEqual(['date']);
    expect(Object.keys(byName.check_availability.properties)).toEqual(['date', 'time']);
    expect(byName.book_appointment.required).toEqual(['date', 'time', 'firstName', 'lastName', 'petName', 'reason']);
    expect(Object.keys(byName.book_appointment.properties)).toEqual(['date', 'time', 'firstName', 'lastName', 'phone', 'petName', 'species', 'reason']);
    expect(byName.cancel_appointment.required).toEqual(['confirmationNumber', 'phone']);
    expect(byName.reschedule_appointment.required).toEqual(['confirmationNumber', 'phone', 'date', 'time']);
    expect(byName.get_clinic_hours.properties).toEqual({});
    // The patterns of the schemas the arguments are validated with.
    expect(new RegExp(byName.book_appointment.properties.time.pattern!).test('14:30')).toBe(true);
    expect(new RegExp(byName.book_appointment.properties.time.pattern!).test('24:00')).toBe(false);
    expect(new RegExp(byName.book_appointment.properties.date.pattern!).test('2026-12-04')).toBe(true);
  });

  it('puts both routes in the OpenAPI document, the tool-call route under the Vapi secret', async () => {
    const res = await h.request('GET', '/openapi.json', undefined, {});
    expect(res.status).toBe(200);
    const doc = res.body as { paths: Record<string, Record<string, { security?: unknown }>>; components: { securitySchemes: Record<string, unknown> } };
    expect(doc.paths['/api/vapi/tool-calls'].post.security).toEqual([{ vapiSecret: [] }, { vapiBearer: [] }]);
    expect(doc.paths['/api/vapi/tools'].get.security).toEqual([{ apiKey: [] }]);
    expect(doc.components.securitySchemes.vapiSecret).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-vapi-secret' });
  });
});

describe('the message', () => {
  it('answers a malformed body 400 in the error shape, and a message of another type with no results', async () => {
    expectError(await post('{not json'), 400, 'invalid_json');
    expectError(await post({}), 400, 'validation_error');
    expectError(await post({ message: { type: 'tool-calls' } }), 400, 'validation_error');
    expectError(await post({ message: { type: 'tool-calls', toolCallList: [{ function: { name: 'get_clinic_hours' } }] } }), 400, 'validation_error');
    expectError(await post({ message: { type: 'tool-calls', toolCallList: 'nope' } }), 400, 'validation_error');
    const res = await post({ message: { type: 'status-update', status: 'in-progress', call: { id: 'c1' } } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ results: [] });
  });

  it("reads a message with a long conversation (past the API's 64 KB), up to 1 MB", async () => {
    const c = await newClinic();
    const long = (kb: number) => {
      const body = message(c.assistantId, [{ id: `call_${kb}`, name: 'get_clinic_hours' }]);
      body.message.artifact.messages = Array.from({ length: kb }, (_, i) => ({ role: 'user', message: 'x'.repeat(1000), time: i })) as never[];
      return JSON.stringify(body);
    };
    const [ok] = await answers(long(300));
    expect('result' in ok && ClinicHoursResult.parse(JSON.parse(ok.result)).timezone).toBe(NY);
    expectError(await post(long(1100)), 413, 'payload_too_large');
    // The rest of the API keeps its 64 KB.
    expectError(await h.request('POST', '/api/clinics', { ...clinicInput(), name: 'x'.repeat(70 * 1024) }), 413, 'payload_too_large');
  });

  it('an unknown assistant id (or none) gets an error result for every call, not a 500', async () => {
    for (const body of [message(`asst_${randomUUID()}`, [{ id: 'call_a', name: 'get_clinic_hours' }, { id: 'call_b', name: 'check_availability', args: { date: '2026-12-04' } }]), message(null, [{ id: 'call_c', name: 'get_clinic_hours' }])]) {
      const res = await post(body);
      expect(res.status).toBe(200);
      const results = VapiToolCallsResponse.parse(res.body).results;
      expect(results.length).toBe(body.message.toolCallList.length);
      for (const [i, r] of results.entries()) {
        expect(r.toolCallId).toBe(body.message.toolCallList[i].id);
        expect('error' in r && r.error).toMatch(/not connected to a clinic/);
      }
    }
  });

  it('reads arguments given as JSON text, name/arguments at the top of an entry, and toolWithToolCallList alone', async () => {
    const c = await newClinic();
    const asJson = await answers(message(c.assistantId, [{ id: 'call_json', name: 'check_availability', args: JSON.stringify({ date: c.d1, time: '10:00' }) }]));
    expect('result' in asJson[0] && CheckAvailabilityResult.parse(JSON.parse(asJson[0].result)).slots[0].time).toBe('10:00');

    const topLevel = await answers({
      message: { type: 'tool-calls', toolCallList: [{ id: 'call_top', name: 'check_availability', arguments: { date: c.d1, time: '11:00' } }], assistant: { id: c.assistantId } },
    });
    expect('result' in topLevel[0] && CheckAvailabilityResult.parse(JSON.parse(topLevel[0].result)).slots[0].time).toBe('11:00');

    const paired = await answers({
      message: {
        type: 'tool-calls',
        toolWithToolCallList: [
          {
            type: 'function',
            function: { name: 'check_availability', parameters: { type: 'object', properties: {} } },
            server: { url: 'https://example.test/api/vapi/tool-calls' },
            toolCall: { id: 'call_paired', type: 'function', function: { name: 'check_availability', parameters: { date: c.d1, time: '09:30' } } },
          },
        ],
        call: { id: 'c2', assistantId: c.assistantId },
      },
    });
    expect(paired[0]).toMatchObject({ name: 'check_availability', toolCallId: 'call_paired' });
    expect('result' in paired[0] && CheckAvailabilityResult.parse(JSON.parse(paired[0].result)).slots[0].time).toBe('09:30');
  });

  it('an unknown tool gets an error for that call; the other calls are still answered; bad arguments are a sentence', async () => {
    const c = await newClinic();
    const results = await answers(
      message(c.assistantId, [
        { id: 'call_1', name: 'get_clinic_hours' },
        { id: 'call_2', name: 'transfer_to_human', args: {} },
        { id: 'call_3', name: 'book_appointment', args: { date: c.d1, time: '10:00', firstName: 'Ana', lastName: 'Lopez' } },
        { id: 'call_4', name: 'check_availability', args: { date: 'next tuesday' } },
        { id: 'call_5', name: 'check_availability', args: '{"date": ' },
      ]),
    );
    expect(results.map((r) => r.toolCallId)).toEqual(['call_1', 'call_2', 'call_3', 'call_4', 'call_5']);
    expect('result' in results[0]).toBe(true);
    expect(results[1]).toMatchObject({ name: 'transfer_to_human', toolCallId: 'call_2' });
    expect('error' in results[1] && results[1].error).toMatch(/cannot do "transfer_to_human"/);
    expect('error' in results[2] && results[2].error).toBe("I need the pet's name and the reason for the visit.");
    expect('error' in results[3] && results[3].error).toMatch(/^I need the date as YYYY-MM-DD/);
    expect('error' in results[4] && results[4].error).toMatch(/could not be read/);
    expect(await bookingsOf(c.id)).toEqual([]);
  });
});

describe('the tools', () => {
  it('a conversation: availability, a booking, a cancel with the wrong phone then the right one, a reschedule', async () => {
    const c = await newClinic({ capacity: 1 });

    // Nearest the wanted time first (a tie goes to the earlier), up to 10, in the clinic's clock.
    const avail = CheckAvailabilityResult.parse(await tool(c, 'check_availability', { date: c.d1, time: '10:00' }));
    expect(avail.date).toBe(c.d1);
    expect(avail.timezone).toBe(NY);
    expect(avail.slots.map((s) => s.time)).toEqual(['10:00', '09:30', '10:30', '09:00', '11:00', '11:30']);
    expect(avail.slots[0].startsAt).toBe(instantOfLocal(c.d1, '10:00', NY)!.toISOString());
    expect(avail.nearest).toBeUndefined();
    // Without a time: the day in order.
    const whole = CheckAvailabilityResult.parse(await tool(c, 'check_availability', { date: c.d1 }));
    expect(whole.slots.map((s) => s.time)).toEqual(['09:00', '09:30', '10:00', '10:30', '11:00', '11:30']);

    // Booked in the clinic's calendar, the phone stored in E.164, from the voice source.
    const booked = BookAppointmentResult.parse(await tool(c, 'book_appointment', booking(c, c.d1, '10:00')));
    if (!booked.booked) throw new Error('not booked');
    expect(booked).toEqual({ booked: true, confirmationNumber: expect.stringMatching(/^[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{6}$/), date: c.d1, time: '10:00' });
    const [row] = await bookingsOf(c.id);
    expect(row).toMatchObject({ status: 'confirmed', date: c.d1, start_time: '10:00:00', source: 'voice', phone: '+12125550142', confirmation_number: booked.confirmationNumber });
    // The slot is full now: it is gone from the free times.
    const after = CheckAvailabilityResult.parse(await tool(c, 'check_availability', { date: c.d1, time: '10:00' }));
    expect(after.slots.map((s) => s.time)).not.toContain('10:00');
    // Booking it again: not booked, the nearest free times instead.
    const taken = BookAppointmentResult.parse(await tool(c, 'book_appointment', booking(c, c.d1, '10:00', { firstName: 'Bo' })));
    if (taken.booked) throw new Error('booked a full slot');
    expect(taken.reason).toBe('slot_unavailable');
    expect(taken.alternatives.map((a) => `${a.date} ${a.time}`).slice(0, 2).sort()).toEqual([`${c.d1} 09:30`, `${c.d1} 10:30`]);
    expect(taken.alternatives.length).toBe(5);

    // The wrong phone: not found, and the booking stays.
    const number = booked.confirmationNumber;
    expect(CancelAppointmentResult.parse(await tool(c, 'cancel_appointment', { confirmationNumber: number, phone: '(212) 555-0143' }))).toEqual({ cancelled: false, reason: 'not_found' });
    expect(CancelAppointmentResult.parse(await tool(c, 'cancel_appointment', { confirmationNumber: 'ZZZZZZ', phone: '(212) 555-0142' }))).toEqual({ cancelled: false, reason: 'not_found' });
    expect((await bookingsOf(c.id))[0].status).toBe('confirmed');
    // The right one, said another way (E.164, the number read out with spaces, lower case).
    const spoken = number.toLowerCase().split('').join(' ');
    expect(CancelAppointmentResult.parse(await tool(c, 'cancel_appointment', { confirmationNumber: spoken, phone: '+1 212 555 0142' }))).toEqual({ cancelled: true });
    expect((await bookingsOf(c.id))[0].status).toBe('cancelled');
    // The seat is free again.
    expect(CheckAvailabilityResult.parse(await tool(c, 'check_availability', { date: c.d1, time: '10:00' })).slots[0].time).toBe('10:00');
    // A cancelled booking cannot be moved.
    expect(RescheduleAppointmentResult.parse(await tool(c, 'reschedule_appointment', { confirmationNumber: number, phone: '2125550142', date: c.d2, time: '09:00' }))).toEqual({
      rescheduled: false,
      reason: 'cancelled',
    });

    // Another booking, moved to the next day; its old seat is freed.
    const second = BookAppointmentResult.parse(await tool(c, 'book_appointment', booking(c, c.d1, '11:00', { phone: '2125550177' })));
    if (!second.booked) throw new Error('not booked');
    const moved = RescheduleAppointmentResult.parse(await tool(c, 'reschedule_appointment', { confirmationNumber: second.confirmationNumber, phone: '212-555-0177', date: c.d2, time: '09:30' }));
    expect(moved).toEqual({ rescheduled: true, date: c.d2, time: '09:30' });
    const rows = await bookingsOf(c.id);
    expect(rows.find((r) => r.confirmation_number === second.confirmationNumber)).toMatchObject({ status: 'confirmed', date: c.d2, start_time: '09:30:00' });
    expect(CheckAvailabilityResult.parse(await tool(c, 'check_availability', { date: c.d1, time: '11:00' })).slots[0].time).toBe('11:00');
    // To a full slot: not moved, alternatives given, the booking keeps its time.
    const third = BookAppointmentResult.parse(await tool(c, 'book_appointment', booking(c, c.d2, '11:00', { phone: '2125550188' })));
    if (!third.booked) throw new Error('not booked');
    const refused = RescheduleAppointmentResult.parse(await tool(c, 'reschedule_appointment', { confirmationNumber: second.confirmationNumber, phone: '2125550177', date: c.d2, time: '11:00' }));
    if (refused.rescheduled) throw new Error('moved into a full slot');
    expect(refused.reason).toBe('slot_unavailable');
    expect(refused.alternatives?.length).toBeGreaterThan(0);
    expect((await bookingsOf(c.id)).find((r) => r.confirmation_number === second.confirmationNumber)).toMatchObject({ date: c.d2, start_time: '09:30:00' });
    // A wrong phone on a reschedule: not found, nothing moved.
    expect(RescheduleAppointmentResult.parse(await tool(c, 'reschedule_appointment', { confirmationNumber: second.confirmationNumber, phone: '2125550100', date: c.d2, time: '10:00' }))).toEqual({
      rescheduled: false,
      reason: 'not_found',
    });
  });

  it('a time that is no slot (closed, or not on the grid) is not booked, and the nearest free times are offered', async () => {
    const c = await newClinic();
    const r = BookAppointmentResult.parse(await tool(c, 'book_appointment', booking(c, c.d1, '10:15')));
    expect(r.booked).toBe(false);
    if (r.booked) return;
    expect(r.alternatives.map((a) => a.time).slice(0, 2).sort()).toEqual(['10:00', '10:30']);
    const evening = BookAppointmentResult.parse(await tool(c, 'book_appointment', booking(c, c.d1, '19:00')));
    expect(evening).toMatchObject({ booked: false, reason: 'slot_unavailable' });
    expect(await bookingsOf(c.id)).toEqual([]);
  });

  it("a day without a free time lists the next 5 in 'nearest'", async () => {
    const c = await newClinic();
    const before = CheckAvailabilityResult.parse(await tool(c, 'check_availability', { date: addDays(c.d1, -1), time: '10:00' }));
    expect(before.slots).toEqual([]);
    expect(before.nearest?.map((s) => `${s.date} ${s.time}`)).toEqual([`${c.d1} 09:00`, `${c.d1} 09:30`, `${c.d1} 10:00`, `${c.d1} 10:30`, `${c.d1} 11:00`]);
  });

  it("books with the caller's number when the caller gives none; without either it asks for one", async () => {
    const c = await newClinic();
    const args = booking(c, c.d1, '09:00');
    delete (args as Partial<typeof args>).phone;
    expect(BookAppointmentResult.parse(await tool(c, 'book_appointment', args, { callerNumber: '+12125550166' }))).toMatchObject({ booked: true });
    expect((await bookingsOf(c.id))[0].phone).toBe('+12125550166');
    const [noPhone] = await answers(message(c.assistantId, [{ name: 'book_appointment', args: { ...args, time: '09:30' } }], { callerNumber: null }));
    expect('error' in noPhone && noPhone.error).toMatch(/phone number/);
    const [badPhone] = await answers(message(c.assistantId, [{ name: 'book_appointment', args: { ...args, time: '09:30', phone: '12345' } }]));
    expect('error' in badPhone && badPhone.error).toMatch(/phone number does not look right/);
    expect((await bookingsOf(c.id)).length).toBe(1);
  });

  it('reads times as people write them (2pm, 9:30, 10:00 AM)', async () => {
    const c = await newClinic();
    expect(CheckAvailabilityResult.parse(await tool(c, 'check_availability', { date: c.d1, time: '11am' })).slots[0].time).toBe('11:00');
    expect(CheckAvailabilityResult.parse(await tool(c, 'check_availability', { date: c.d1, time: '9:30' })).slots[0].time).toBe('09:30');
    expect(BookAppointmentResult.parse(await tool(c, 'book_appointment', booking(c, c.d1, '10:00 AM')))).toMatchObject({ booked: true, time: '10:00' });
  });

  it("get_clinic_hours answers the clinic's business hours, or those of its synced slots when it gave none", async () => {
    const c = await newClinic();
    expect(ClinicHoursResult.parse(await tool(c, 'get_clinic_hours', {}))).toEqual({ timezone: NY, hours: [{ daysOfWeek: [1, 2, 3, 4, 5, 6, 7], open: '09:00', close: '12:00' }] });
    const pimsHours = await newClinic({ businessHours: false });
    const hours = ClinicHoursResult.parse(await tool(pimsHours, 'get_clinic_hours', {}));
    expect(hours.hours).toHaveLength(1);
    expect(hours.hours[0]).toMatchObject({ open: '09:00', close: '12:00' });
    expect(hours.hours[0].daysOfWeek.length).toBe(2);
  });
});

describe('the same toolCallId', () => {
  it('twice books once and answers the same string', async () => {
    const c = await newClinic({ capacity: 3 });
    const body = message(c.assistantId, [{ id: 'call_redelivered', name: 'book_appointment', args: booking(c, c.d1, '10:00') }]);
    const first = await answers(body);
    const again = await answers(body);
    expect(again).toEqual(first);
    expect('result' in first[0] && BookAppointmentResult.parse(JSON.parse(first[0].result)).booked).toBe(true);
    const rows = await bookingsOf(c.id);
    expect(rows.length).toBe(1);
    expect(rows[0].idempotency_key).toBe(idempotencyKeyFor('call_redelivered'));
    // The stored answer wins even when the world changed since: a cancel redelivered after the
    // booking was moved on still answers what it answered.
    const number = 'result' in first[0] ? (JSON.parse(first[0].result) as { confirmationNumber: string }).confirmationNumber : '';
    const cancel = message(c.assistantId, [{ id: 'call_cancel', name: 'cancel_appointment', args: { confirmationNumber: number, phone: '2125550142' } }]);
    const cancelled = await answers(cancel);
    expect(cancelled[0]).toMatchObject({ toolCallId: 'call_cancel', result: JSON.stringify({ cancelled: true }) });
    expect(await answers(cancel)).toEqual(cancelled);
    // Each tool call once in the table.
    expect(await q(`select tool_call_id, name from public.vapi_tool_calls where clinic_id = $1 order by tool_call_id`, [c.id])).toEqual([
      { tool_call_id: 'call_cancel', name: 'cancel_appointment' },
      { tool_call_id: 'call_redelivered', name: 'book_appointment' },
    ]);
  });

  it('delivered twice at once, through two processes, books once and both get the same string', async () => {
    const c = await newClinic({ capacity: 1 });
    for (const [i, time] of ['09:00', '09:30', '10:00', '10:30', '11:00'].entries()) {
      const body = message(c.assistantId, [{ id: `call_race_${i}`, name: 'book_appointment', args: booking(c, c.d1, time, { lastName: `Racer ${i}` }) }]);
      const [a, b] = await Promise.all([answers(body, app), answers(body, app2)]);
      expect(a).toEqual(b);
      expect('result' in a[0] && BookAppointmentResult.parse(JSON.parse(a[0].result))).toMatchObject({ booked: true, time });
    }
    const rows = await bookingsOf(c.id);
    expect(rows.length).toBe(5);
    expect(rows.every((r) => r.status === 'confirmed')).toBe(true);
    expect(Number((await q<{ n: number }>(`select count(*)::int as n from public.vapi_tool_calls where clinic_id = $1`, [c.id]))[0].n)).toBe(5);
  });

  it('is per clinic: another clinic may use the same id for its own call', async () => {
    const a = await newClinic();
    const b = await newClinic();
    const id = 'call_shared_id';
    const ra = BookAppointmentResult.parse(await tool(a, 'book_appointment', booking(a, a.d1, '09:00'), { id }));
    const rb = BookAppointmentResult.parse(await tool(b, 'book_appointment', booking(b, b.d1, '09:00'), { id }));
    expect(ra.booked && rb.booked).toBe(true);
    expect((await bookingsOf(a.id)).length).toBe(1);
    expect((await bookingsOf(b.id)).length).toBe(1);
  });
});

describe("the clinic's calendar", () => {
  it('a caller of a clinic in Pacific/Kiritimati (UTC+14) asking for "tomorrow 10:00" gets the clinic\'s date and time, in and out', async () => {
    const tz = 'Pacific/Kiritimati';
    const c = await newClinic({ timezone: tz });
    // "Tomorrow" is the clinic's tomorrow: what the assistant sends as the date.
    const tomorrow = tomorrowIn(tz);
    expect(c.d1).toBe(tomorrow);
    const avail = CheckAvailabilityResult.parse(await tool(c, 'check_availability', { date: tomorrow, time: '10:00' }));
    expect(avail).toMatchObject({ date: tomorrow, timezone: tz });
    expect(avail.slots[0].time).toBe('10:00');
    // 10:00 at UTC+14 is 20:00 UTC the day before.
    expect(avail.slots[0].startsAt).toBe(`${addDays(tomorrow, -1)}T20:00:00.000Z`);
    const booked = BookAppointmentResult.parse(await tool(c, 'book_appointment', booking(c, tomorrow, '10:00', { phone: '+686 7300 1234' })));
    expect(booked).toMatchObject({ booked: true, date: tomorrow, time: '10:00' });
    const [row] = await bookingsOf(c.id);
    expect(row).toMatchObject({ date: tomorrow, start_time: '10:00:00' });
    const moved = RescheduleAppointmentResult.parse(
      await tool(c, 'reschedule_appointment', { confirmationNumber: booked.booked ? booked.confirmationNumber : '', phone: '+68673001234', date: c.d2, time: '11:30' }),
    );
    expect(moved).toEqual({ rescheduled: true, date: c.d2, time: '11:30' });
    expect(ClinicHoursResult.parse(await tool(c, 'get_clinic_hours', {})).timezone).toBe(tz);
  });
});
