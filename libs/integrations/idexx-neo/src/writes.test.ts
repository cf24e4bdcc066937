import { describe, expect, it } from 'vitest';
import { classifyWriteResponse, extractClients, extractPatientObjects, parseSessionInfo, phoneSearchTerm, refusalMessage, samePhone, toClientMatch, toPatientMatch } from './index';

const res = (status: number, body = '', headers: Record<string, string> = {}) => ({ status, body, headers });
const LOGIN_HTML = '<html><body><form><input type="password" name="password"><input type="hidden" name="csrf_neo_token" value="x"></form></body></html>';

describe('classifyWriteResponse', () => {
  it('reads success, and a 200 saying success: false as a refusal', () => {
    expect(classifyWriteResponse(res(200, '{"success":true}'), '/appointments/create')).toEqual({ kind: 'ok', data: { success: true } });
    const refused = classifyWriteResponse(res(200, '{"success":false,"message":"Slot closed"}'), '/appointments/create');
    expect(refused).toMatchObject({ kind: 'fatal', error: { code: 'pims_bad_response', message: 'IDEXX Neo refused /appointments/create: Slot closed (200)' } });
  });

  it('sees a refused CSRF token in a 403 or 422 that names it (not in a login page)', () => {
    expect(classifyWriteResponse(res(403, '{"success":false,"error":"Invalid CSRF token"}'), 'x')).toEqual({ kind: 'csrf', reason: 'status 403: Invalid CSRF token' });
    expect(classifyWriteResponse(res(422, '<h1>ActionController::InvalidAuthenticityToken</h1>'), 'x').kind).toBe('csrf');
    expect(classifyWriteResponse(res(403, LOGIN_HTML), 'x').kind).toBe('expired');
    expect(classifyWriteResponse(res(419, ''), 'x').kind).toBe('expired');
    expect(classifyWriteResponse(res(403, '{"error":"Forbidden"}'), 'x')).toMatchObject({ kind: 'fatal', error: { code: 'pims_bad_response' } });
  });

  it('maps 404 and "not found" to pims_not_found, 409 to pims_conflict, other 4xx to pims_bad_response with the reasons', () => {
    expect(classifyWriteResponse(res(404, '{"success":false,"error":"Not found"}'), 'x')).toMatchObject({ kind: 'fatal', error: { code: 'pims_not_found', status: 404 } });
    expect(classifyWriteResponse(res(422, '{"success":false,"errors":{"patient_id":["Patient not found"]}}'), 'x')).toMatchObject({ kind: 'fatal', error: { code: 'pims_not_found' } });
    expect(classifyWriteResponse(res(409, '{"success":false,"error":"The appointment is finalized"}'), 'x')).toMatchObject({
      kind: 'fatal',
      error: { code: 'pims_conflict', status: 409, message: 'IDEXX Neo refused x: The appointment is finalized' },
    });
    const bad = classifyWriteResponse(res(422, '{"success":false,"message":"Not saved","errors":{"room":["Unknown room"],"time":"bad"}}'), 'x');
    expect(bad).toMatchObject({ kind: 'fatal', error: { code: 'pims_bad_response', message: 'IDEXX Neo refused x: Not saved; room: Unknown room; time: bad (422)' } });
  });

  it('retries 5xx, 429 and expired sessions as reads do', () => {
    expect(classifyWriteResponse(res(502, '<h1>502 Bad Gateway</h1>'), 'x').kind).toBe('transient');
    expect(classifyWriteResponse(res(429, '', { 'retry-after': '1' }), 'x')).toMatchObject({ kind: 'transient', retryAfterMs: 1000 });
    expect(classifyWriteResponse(res(200, LOGIN_HTML), 'x').kind).toBe('expired');
    expect(classifyWriteResponse(res(302, '', { location: '/login/' }), 'x').kind).toBe('expired');
  });

  it('refusalMessage reads error, message and errors; nothing from a non-JSON body', () => {
    expect(refusalMessage('{"error":"a","message":"b","errors":{"f":["c","d"]}}')).toBe('a; b; f: c, d');
    expect(refusalMessage('<html>nope</html>')).toBe('');
  });
});

describe('parseSessionInfo', () => {
  it('reads the meta CSRF token and the user name, in either attribute order, with entities', () => {
    const html = `<head><meta charset="utf-8"><meta name="csrf-token" content="abc123"></head><body><span id="current_user" class="neo-user">Front &amp; Back</span>`;
    expect(parseSessionInfo(html)).toEqual({ csrfToken: 'abc123', userName: 'Front & Back' });
    expect(parseSessionInfo(`<meta content='t0k' name='csrf-token'/>`)).toEqual({ csrfToken: 't0k', userName: null });
    expect(parseSessionInfo('<html><meta name="csrf-token" content=""></html>')).toEqual({ csrfToken: null, userName: null });
  });
});

describe('phones', () => {
  it('compares by digits, the last ten when both have ten', () => {
    expect(samePhone('+1 (555) 123-0000', '5551230000')).toBe(true);
    expect(samePhone('+15551230000', '+1 555 123 0001')).toBe(false);
    expect(samePhone('1230000', '+15551230000')).toBe(false);
    expect(samePhone('1230000', '123-0000')).toBe(true);
    expect(samePhone(null, '1')).toBe(false);
    expect(phoneSearchTerm('+44 7700 900123')).toBe('7700900123');
    expect(phoneSearchTerm('123-0000')).toBe('1230000');
  });
});

describe('search answers', () => {
  it('takes patients from suggested and full lists, each id once, numbers or strings', () => {
    const p = (id: unknown, client: unknown = { id: 7, firstName: 'Ana', lastName: 'Lopez', homePhone: '+1555', mobilePhone: null }) => ({
      id,
      name: `Pet ${String(id)}`,
      species: { id: 1, name: 'Canine' },
      breed: 'Beagle',
      client,
    });
    const body = { results: { patients: { data: [], objects: [p(1), p(2)] }, suggested: { objects: [p(1)] } } };
    const objects = extractPatientObjects(body);
    expect(objects.map((o) => o.id)).toEqual([1, 2]);
    expect(toPatientMatch(objects[0])).toEqual({
      patientId: '1',
      name: 'Pet 1',
      species: 'Canine',
      breed: 'Beagle',
      client: { clientId: '7', firstName: 'Ana', lastName: 'Lopez', phone: '+1555', email: null },
    });
    expect(toPatientMatch(p(3, null))).toBeNull();
    expect(extractPatientObjects([p('x')]).map((o) => o.id)).toEqual(['x']);
    expect(() => extractPatientObjects({ nothing: true })).toThrowError(expect.objectContaining({ code: 'pims_bad_response' }));
  });

  it('takes clients with their phones (mobile first, each once) and their living patients', () => {
    const list = extractClients({
      clients: [
        { id: 5, firstName: 'Ana', lastName: 'Lopez', homePhone: '+1555', mobilePhone: '+1666', workPhone: '+1555', email: 'a@x', patients: [{ id: 9, name: 'Rex', species: 'Canine', breed: null }, { id: 10, name: 'Old', alive: false }] },
        { firstName: 'No id' },
      ],
    });
    expect(list.map(toClientMatch)).toEqual([
      { clientId: '5', firstName: 'Ana', lastName: 'Lopez', phone: '+1666', phones: ['+1666', '+1555'], email: 'a@x', patients: [{ patientId: '9', name: 'Rex', species: 'Canine', breed: null }] },
      null,
    ]);
    expect(extractClients([{ id: 'c' }])).toHaveLength(1);
    expect(() => extractClients({ total: 0 })).toThrowError(expect.objectContaining({ code: 'pims_bad_response' }));
  });
});
