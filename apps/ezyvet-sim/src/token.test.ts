import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEzyvetSimulator, type EzyvetSimulator } from './server';
import { EzyClient, postJson } from './testing/http-client';
import { EZY_CREDS, FIXED_NOW, smallClinic } from './testing/fixtures';
import { BAD_TOKEN_TEXT } from './wire';

let sim: EzyvetSimulator;

beforeAll(async () => {
  sim = await startEzyvetSimulator({
    scenario: { clinics: [smallClinic()] },
    now: FIXED_NOW,
    rateLimitPerMinute: 0,
  });
});
afterAll(() => sim.close());

async function tokenRequest(body: string, type = 'application/json') {
  const res = await fetch(`${sim.url}/v1/oauth/access_token`, {
    method: 'POST',
    headers: { 'content-type': type },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const grantBody = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ ...EZY_CREDS, grant_type: 'client_credentials', scope: 'read-appointment', ...over });

describe('OAuth 2.0 client credentials token', () => {
  it('grants a 12-hour bearer token for client_id / client_secret / any partner_id, JSON or form', async () => {
    const r = await tokenRequest(grantBody({ partner_id: 'any-partner' }));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      access_token: expect.stringMatching(/^[0-9a-f]{48}$/),
      token_type: 'Bearer',
      expires_in: 43200,
    });
    const form = new URLSearchParams({ ...EZY_CREDS, grant_type: 'client_credentials' }).toString();
    const f = await tokenRequest(form, 'application/x-www-form-urlencoded');
    expect(f.status).toBe(200);
    expect(f.body.access_token).not.toBe(r.body.access_token);
    // The token reads the clinic's data.
    const res = await fetch(`${sim.url}/v2/appointment?id=A-1001`, {
      headers: { authorization: `Bearer ${String(r.body.access_token)}` },
    });
    expect(res.status).toBe(200);
  });

  it('answers 401 InvalidClientException for a wrong secret, an unknown client or an empty partner_id', async () => {
    const refused = {
      messages: [
        { level: 'error', type: 'InvalidClientException', text: 'Client authentication failed.', fields: [] },
      ],
    };
    for (const over of [
      { client_secret: 'wrong' },
      { client_id: 'nobody' },
      { partner_id: '  ' },
      { client_secret: 'sim-pass-2026!' },
    ]) {
      const r = await tokenRequest(grantBody(over));
      expect(r.status, JSON.stringify(over)).toBe(401);
      expect(r.body).toEqual(refused);
    }
  });

  it('answers 400 InvalidRequestException for a missing field or another grant_type', async () => {
    const { partner_id: _p, ...noPartner } = EZY_CREDS;
    for (const body of [
      JSON.stringify({ ...noPartner, grant_type: 'client_credentials' }),
      grantBody({ grant_type: 'password' }),
      JSON.stringify({ partner_id: 'p', client_id: '8890', grant_type: 'client_credentials' }),
      'not json',
    ]) {
      const r = await tokenRequest(body);
      expect(r.status, body).toBe(400);
      expect((r.body.messages as { type: string }[])[0].type).toBe('InvalidRequestException');
    }
  });

  it('a missing, unknown or revoked token answers 401 with the body ezyVet documents', async () => {
    const expected = {
      messages: [{ level: 'error', type: 'InvalidRequestException', text: BAD_TOKEN_TEXT, fields: [] }],
    };
    const none = await fetch(`${sim.url}/v2/appointment`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual(expected);
    const unknown = await fetch(`${sim.url}/v2/appointment`, {
      headers: { authorization: 'Bearer 0123456789abcdef' },
    });
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toEqual(expected);
    const client = new EzyClient(sim.url, EZY_CREDS);
    expect((await client.get('/v2/appointment')).status).toBe(200);
    expect(sim.expireSessions('8890')).toBeGreaterThan(0);
    const after = await client.get('/v2/appointment');
    expect(after.status).toBe(401);
    expect(after.body).toEqual(expected);
  });

  it('a token expires after 12 hours of the simulator clock; a new grant works again', async () => {
    const client = new EzyClient(sim.url, EZY_CREDS);
    expect((await client.get('/v1/appointmentstatus')).status).toBe(200);
    sim.setNow(new Date(Date.parse(FIXED_NOW) + 43_199_000));
    expect((await client.get('/v1/appointmentstatus')).status).toBe(200);
    sim.setNow(new Date(Date.parse(FIXED_NOW) + 43_200_000));
    expect((await client.get('/v1/appointmentstatus')).status).toBe(401);
    await client.grant();
    expect((await client.get('/v1/appointmentstatus')).status).toBe(200);
    sim.setNow(FIXED_NOW);
  });

  it('sessionTtlSeconds shortens the tokens it grants (expires_in says so), in real time under a fixed clock', async () => {
    await postJson(sim.url, '/__sim/faults', { sessionTtlSeconds: 0.3 });
    try {
      const client = new EzyClient(sim.url, EZY_CREDS);
      const g = await client.grant();
      expect(g.body.expires_in).toBe(1);
      expect((await client.get('/v1/appointmentstatus')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 400));
      expect((await client.get('/v1/appointmentstatus')).status).toBe(401);
    } finally {
      await postJson(sim.url, '/__sim/faults', {});
    }
  });

  it('counts token requests as oauth and grants as logins, per clinic', async () => {
    sim.resetStats();
    await tokenRequest(grantBody());
    await tokenRequest(grantBody({ client_secret: 'wrong' }));
    await tokenRequest(grantBody({ client_id: 'nobody' }));
    const s = sim.stats();
    expect(s.requests.oauth).toBe(3);
    expect(s.logins).toBe(1);
    expect(s.byCompany['8890']).toMatchObject({ logins: 1, requests: expect.objectContaining({ oauth: 2 }) });
  });
});
