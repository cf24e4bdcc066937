import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody } from '@pims/sync-contracts';
import { clinicInput, startApiHarness, TEST_API_KEY, type ApiHarness } from './testing/harness';

/**
 * Property: whatever arrives (malformed JSON, wrong types, control characters, odd content types,
 * broken percent-encoding in paths and query strings, unknown methods), no answer is a 5xx and every
 * error answer has the contract's error shape. In process (app.request) against the real database.
 */
let h: ApiHarness;
let clinicId: string;
let syncId: string;

beforeAll(async () => {
  h = await startApiHarness();
  clinicId = (await h.request('POST', '/api/clinics', clinicInput({ name: 'Fuzz Clinic' }))).body.id;
  syncId = (await h.request('POST', '/api/sync/full', { clinicId })).body.syncId;
});
afterAll(async () => {
  await h?.close();
});

const ROUTES = [
  ['POST', '/api/clinics'],
  ['GET', '/api/clinics'],
  ['POST', '/api/sync/full'],
  ['POST', '/api/sync/inbound'],
  ['POST', '/api/sync/cases'],
  ['POST', '/api/sync/reconcile'],
  ['GET', '/api/sync/history'],
  ['GET', '/api/sync/active'],
  ['GET', '/api/sync/:id'],
  ['POST', '/api/sync/:id/cancel'],
  ['GET', '/api/openapi.json'],
  ['GET', '/health'],
] as const;

/** Strings that tend to break things: control characters, NUL, lone surrogates, huge, numeric-looking, JSON-looking. */
/** A C0 or C1 control character, DEL included (NUL is the one PostgreSQL refuses outright). */
const control = fc.integer({ min: 0, max: 0x9f }).filter((c) => c < 0x20 || c >= 0x7f).map((c) => String.fromCharCode(c));
/** Strings that tend to break things: control characters, NUL, lone surrogates, huge, numeric-looking, JSON-looking. */
const nasty = fc.oneof(
  { arbitrary: fc.tuple(fc.string({ maxLength: 10 }), control, fc.string({ maxLength: 10 })).map(([a, c, b]) => `${a}${c}${b}`), weight: 3 },
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\u0000', 'a\u0000b', '\u001b[31m', '\ud800', '\udfff\ud800', '\u202e', '\r\n', '\t', '%', '%zz', '%00', '%E0%A4%A', '..', '../..', '__proto__', 'constructor', 'null', 'true', '-1', '1e309', 'NaN', '0x10', ' ', ''),
  fc.nat({ max: 70_000 }).map((n) => 'x'.repeat(n)),
  fc.uuid(),
);

const jsonish: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    nasty,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(nasty, tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** A valid body of each route with fields replaced, dropped or added. */
const valid: Record<string, () => Record<string, unknown>> = {
  '/api/clinics': () => clinicInput({ name: 'Fuzzed' }) as Record<string, unknown>,
  '/api/sync/full': () => ({ clinicId, requestedBy: 'fuzz', backwardDays: 3 }),
  '/api/sync/inbound': () => ({ clinicId, forwardDays: 3 }),
  '/api/sync/cases': () => ({ clinicId, backwardDays: 3 }),
  '/api/sync/reconcile': () => ({ clinicId, lookbackDays: 3, allowMassDelete: false }),
};
const FIELDS = ['clinicId', 'requestedBy', 'triggeredBy', 'backwardDays', 'forwardDays', 'reconciliationDays', 'lookbackDays', 'allowMassDelete', 'bidirectional', 'name', 'timezone', 'pims', 'schedule', 'syncCron', 'companyId', 'password'];
const mutated = (path: string) =>
  fc
    .tuple(fc.array(fc.tuple(fc.constantFrom(...FIELDS), jsonish), { maxLength: 4 }), fc.subarray(FIELDS, { maxLength: 3 }), fc.array(fc.tuple(fc.constantFrom(...FIELDS), jsonish), { maxLength: 3 }))
    .map(([set, drop, nested]) => {
      const body: Record<string, unknown> = valid[path]?.() ?? {};
      for (const [k, v] of set) body[k] = v;
      for (const k of drop) delete body[k];
      if (body.pims && typeof body.pims === 'object') for (const [k, v] of nested) (body.pims as Record<string, unknown>)[k] = v;
      if (body.schedule && typeof body.schedule === 'object') for (const [k, v] of nested) (body.schedule as Record<string, unknown>)[k] = v;
      return JSON.stringify(body);
    });

/** The string fields of each route's body: a valid body with one of them made nasty reaches the database. */
const STRING_FIELDS: Record<string, string[][]> = {
  '/api/clinics': [['name'], ['timezone'], ['pims', 'baseUrl'], ['pims', 'companyId'], ['pims', 'username'], ['pims', 'password'], ['schedule', 'syncCron'], ['schedule', 'openTime']],
  '/api/sync/full': [['requestedBy'], ['clinicId'], ['triggeredBy']],
  '/api/sync/inbound': [['requestedBy'], ['clinicId']],
  '/api/sync/cases': [['requestedBy'], ['clinicId']],
  '/api/sync/reconcile': [['requestedBy'], ['clinicId']],
};
const oneFieldNasty = (path: string) =>
  fc.tuple(fc.constantFrom(...(STRING_FIELDS[path] ?? [['x']])), fc.oneof(nasty, nasty.map((v) => `ok${v}ok`))).map(([field, v]) => {
    const body: Record<string, unknown> = valid[path]?.() ?? {};
    if (field[0] === 'schedule') body.schedule = { openTime: '08:00', closeTime: '18:00' };
    let target = body;
    for (const k of field.slice(0, -1)) target = target[k] as Record<string, unknown>;
    target[field[field.length - 1]] = v;
    return JSON.stringify(body);
  });

const rawBody = (path: string) =>
  fc.oneof(
    { arbitrary: oneFieldNasty(path), weight: 4 },
    { arbitrary: mutated(path), weight: 3 },
    jsonish.map((v) => JSON.stringify(v) ?? 'undefined'),
    fc.string({ maxLength: 200 }),
    fc.constantFrom('', '{', '{"clinicId":', '[[[[[[[[[[', '{"a":1}{"b":2}', 'null', '"\\u0000"', '{"clinicId":"\\u0000"}', '\ufeff{}', `${'['.repeat(5000)}${']'.repeat(5000)}`),
    mutated(path).map((s) => s.slice(0, Math.max(1, Math.floor(s.length / 2)))),
  );

/** Percent-encoded when it can be (a lone surrogate cannot), else raw. */
const encode = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return s;
  }
};
const segment = fc.oneof(fc.constant('SYNC'), fc.uuid(), fc.tuple(nasty, fc.boolean()).map(([s, raw]) => (raw ? s.replace(/[#?/]/g, '') : encode(s))));
const query = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom('clinicId', 'type', 'status', 'limit', 'cursor'), nasty), fc.oneof(nasty, fc.constant('CLINIC'), fc.constantFrom('full', 'queued', '0', '101', '20', '-1', '1.5'))), { maxLength: 4 })
  .chain((pairs) =>
    fc.boolean().map((raw) => pairs.map(([k, v]) => (raw ? `${k.replace(/[#&=]/g, '')}=${v.replace(/[#&]/g, '')}` : `${encode(k)}=${encode(v)}`)).join('&')),
  );

const request = fc
  .record({
    route: fc.oneof({ arbitrary: fc.constantFrom(...ROUTES.filter((r) => r[0] === 'POST')), weight: 2 }, fc.constantFrom(...ROUTES)),
    method: fc.oneof({ arbitrary: fc.constant('ROUTE'), weight: 4 }, fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD')),
    segment,
    query,
    contentType: fc.oneof(
      { arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8'), weight: 4 },
      fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', null),
    ),
    key: fc.oneof({ arbitrary: fc.constant(TEST_API_KEY), weight: 10 }, fc.constantFrom('wrong-key', null)),
    withBody: fc.boolean(),
  })
  .chain((r) => rawBody(r.route[1]).map((body) => ({ ...r, body })));

describe('fuzz: 1,000 malformed requests across every route', () => {
  it('never answers 5xx, and every error answer is the error shape', async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const method = r.method === 'ROUTE' ? r.route[0] : r.method;
        const seg = r.segment === 'SYNC' ? syncId : r.segment;
        let path = r.route[1].replace(':id', seg);
        const q = r.query.replace(/CLINIC/g, clinicId);
        if (q) path += `?${q}`;
        const headers: Record<string, string> = {};
        if (r.key) headers['x-api-key'] = r.key;
        if (r.contentType) headers['content-type'] = r.contentType;
        const hasBody = (r.withBody || method === 'POST') && method !== 'GET' && method !== 'HEAD';
        let res: Response;
        try {
          res = await h.app.request(path, { method, headers, body: hasBody ? r.body : undefined });
        } catch (err) {
          // A URL the fetch API itself refuses never reaches the app.
          if (err instanceof TypeError && /URL/i.test(err.message)) return;
          throw err;
        }
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        const text = await res.text();
        expect(res.status, `${method} ${path} -> ${res.status} ${text.slice(0, 300)}`).toBeLessThan(500);
        if (res.status >= 400 && method !== 'HEAD') {
          let parsed: unknown;
          expect(() => (parsed = JSON.parse(text)), `${method} ${path}: not JSON: ${text.slice(0, 200)}`).not.toThrow();
          expect(ErrorBody.safeParse(parsed).success, `${method} ${path}: ${text.slice(0, 300)}`).toBe(true);
          expect(text.length).toBeLessThan(16 * 1024);
        }
      }),
      { numRuns: 1000 },
    );
    // The run reached the routes and the database (not only 401s and 404s).
    expect(seen.get(400)).toBeGreaterThan(100);
    expect((seen.get(409) ?? 0) + (seen.get(201) ?? 0) + (seen.get(202) ?? 0)).toBeGreaterThan(0);
    expect(h.logLines.join('')).not.toContain('unexpected error');
  });
});
