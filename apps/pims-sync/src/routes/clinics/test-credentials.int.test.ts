// POST /api/clinics/test-connection: a real log-in by the IDEXX Neo client in Chromium against the
// simulator with credentials that are not saved (a clinic form's "Test connection"). It answers as
// the saved clinic's test-connection does, stores nothing, and no answer or log line holds the password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdexxNeoProvider } from '@pims/idexx-neo';
import { startSimulator, type Simulator } from '@pims/idexx-neo-sim';
import { ErrorBody, TestConnectionOutput } from '@pims/sync-contracts';
import { PASSWORD, scenarioClinic } from '@pims/sync-data-access/testing';
import { startApiHarness, type ApiHarness } from '../../testing/harness';

const WRONG = 'Wrong-Pass-7!';
let h: ApiHarness;
let sim: Simulator;
let neo: ReturnType<typeof createIdexxNeoProvider>;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, scenario: { clinics: [scenarioClinic('7401', 'America/Denver', [])] } });
  neo = createIdexxNeoProvider({ chromiumPath: process.env.CHROMIUM_PATH || undefined, retry: { retries: 1, baseDelayMs: 20, maxDelayMs: 100 }, requestTimeoutMs: 15_000 });
  h = await startApiHarness({ providers: [neo] });
});
afterAll(async () => {
  await h?.close();
  await neo?.close();
  await sim?.close();
});

const neoLogin = (password: string, baseUrl = sim.url) => ({
  timezone: 'America/Denver',
  pims: { provider: 'idexx_neo', baseUrl: `${baseUrl}/`, companyId: '7401', username: 'user-7401', password },
});

describe('POST /api/clinics/test-connection (credentials not saved)', () => {
  it("logs in for real: a wrong password is ok:false with the PIMS's message and without the password; the right one ok:true; nothing is stored", async () => {
    const wrong = await h.request('POST', '/api/clinics/test-connection', neoLogin(WRONG));
    expect(wrong.status).toBe(200);
    const w = TestConnectionOutput.parse(wrong.body);
    expect(w.ok).toBe(false);
    if (w.ok) return;
    expect(w.error.code).toBe('pims_auth_failed');
    // The simulator's own words for a refused log-in, as IDEXX Neo shows them.
    expect(w.error.message).toContain('Invalid login details');
    expect(JSON.stringify(wrong.body)).not.toContain(WRONG);

    const right = await h.request('POST', '/api/clinics/test-connection', neoLogin(PASSWORD));
    expect(right).toEqual({ status: 200, body: { ok: true } });
    expect((await h.db.pool.query('select count(*)::int as n from public.clinics')).rows[0].n).toBe(0);
    const logged = h.logLines.join('');
    expect(logged).toContain('PIMS credentials tested');
    expect(logged).not.toContain(WRONG);
    expect(logged).not.toContain(PASSWORD);
  });

  it('an unreachable PIMS is ok:false; a provider this process does not run is pims_provider_unknown', async () => {
    const down = TestConnectionOutput.parse((await h.request('POST', '/api/clinics/test-connection', neoLogin(PASSWORD, 'http://127.0.0.1:9'))).body);
    expect(down.ok === false && down.error.code).toMatch(/^pims_/);
    const ezyvet = await h.request('POST', '/api/clinics/test-connection', {
      timezone: 'Pacific/Auckland',
      pims: { provider: 'ezyvet', baseUrl: 'http://127.0.0.1:9', partnerId: 'p', clientId: 'c', clientSecret: 'ezy-secret-1' },
    });
    expect(ezyvet.status).toBe(200);
    const e = TestConnectionOutput.parse(ezyvet.body);
    expect(e.ok).toBe(false);
    expect(JSON.stringify(ezyvet.body)).not.toContain('ezy-secret-1');
  });

  it('refuses a body outside the contract (400 validation_error, without echoing the password); 401 without the key', async () => {
    for (const bad of [
      {},
      { timezone: 'Mars/Olympus', pims: neoLogin(PASSWORD).pims },
      { timezone: 'UTC', pims: { provider: 'idexx_neo', baseUrl: 'not a url', username: 'u', password: WRONG } },
      { timezone: 'UTC', pims: { provider: 'ezyvet', baseUrl: sim.url, clientId: 'c', clientSecret: WRONG } },
      { ...neoLogin(PASSWORD), name: 'extra' },
    ]) {
      const res = await h.request('POST', '/api/clinics/test-connection', bad);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(ErrorBody.parse(res.body).error.code).toBe('validation_error');
      expect(JSON.stringify(res.body)).not.toContain(WRONG);
    }
    expect((await h.request('POST', '/api/clinics/test-connection', neoLogin(PASSWORD), {})).status).toBe(401);
  });
});
