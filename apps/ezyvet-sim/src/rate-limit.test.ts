import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEzyvetSimulator, type EzyvetSimulator } from './server';
import { EzyClient, postJson } from './testing/http-client';
import { EZY_CREDS, FIXED_NOW, smallClinic } from './testing/fixtures';

let sim: EzyvetSimulator;
const OTHER = { ...EZY_CREDS, client_id: '9000', client_secret: 'Other-Secret' };

beforeAll(async () => {
  sim = await startEzyvetSimulator({
    scenario: {
      clinics: [smallClinic(), smallClinic({ companyId: '9000', password: 'Other-Secret', name: 'Other' })],
    },
    now: FIXED_NOW,
    rateLimitPerMinute: 5,
    rateLimitPerClinicPerMinute: 8,
  });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.setRateLimits({ perEndpoint: 5, perClinic: 8 });
  sim.resetStats();
});

describe("ezyVet's rate limit: per endpoint per clinic, and per clinic", () => {
  it("counts down x-ratelimit-remaining, then answers 429 with Retry-After, x-ratelimit-reset and ezyVet's body", async () => {
    const client = new EzyClient(sim.url, EZY_CREDS);
    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await client.get('/v2/appointment', { id: 'A-1001' });
      expect(r.status).toBe(200);
      remaining.push(r.headers.get('x-ratelimit-remaining')!);
      expect(Number(r.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(1);
      expect(Number(r.headers.get('x-ratelimit-reset'))).toBeLessThanOrEqual(60);
    }
    expect(remaining).toEqual(['4', '3', '2', '1', '0']);
    const refused = await client.get('/v2/appointment/A-1001');
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      messages: [
        { level: 'error', type: 'TooManyRequestsException', text: 'Too many requests.', fields: [] },
      ],
    });
    const retry = Number(refused.headers.get('retry-after'));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('x-ratelimit-reset')).toBe(String(retry));
    // Another endpoint of the same clinic, and the same endpoint of another clinic, still answer.
    expect((await client.get('/v1/consult')).status).toBe(200);
    expect((await new EzyClient(sim.url, OTHER).get('/v2/appointment')).status).toBe(200);
    expect(sim.stats()).toMatchObject({
      rateLimited: 1,
      byCompany: { '8890': { rateLimited: 1 }, '9000': { rateLimited: 0 } },
    });
    // A refused request still counts as a request of its endpoint.
    expect(sim.stats().byCompany['8890'].requests.appointment).toBe(6);
  });

  it('the clinic-wide limit spans endpoints; 0 turns a limit off', async () => {
    const client = new EzyClient(sim.url, EZY_CREDS);
    const paths = [
      '/v1/consult',
      '/v1/animal',
      '/v1/contact',
      '/v1/plan',
      '/v1/assessment',
      '/v2/resource',
      '/v1/species',
      '/v1/breed',
    ];
    for (const p of paths) expect((await client.get(p)).status, p).toBe(200);
    const r = await client.get('/v1/invoiceline');
    expect(r.status).toBe(429);
    sim.setRateLimits({ perEndpoint: 0, perClinic: 0 });
    for (let i = 0; i < 20; i++) expect((await client.get('/v1/invoiceline')).status).toBe(200);
    expect((await client.get('/v1/invoiceline')).headers.get('x-ratelimit-remaining')).toBeNull();
  });

  it('POST /__sim/rate-limit sets the limits (and refuses nonsense)', async () => {
    expect((await postJson(sim.url, '/__sim/rate-limit', { perEndpoint: 1 })).body).toMatchObject({
      limits: { perEndpoint: 1, perClinic: 8 },
    });
    const client = new EzyClient(sim.url, EZY_CREDS);
    expect((await client.get('/v1/species')).status).toBe(200);
    expect((await client.get('/v1/species')).status).toBe(429);
    expect((await postJson(sim.url, '/__sim/rate-limit', { perEndpoint: -1 })).status).toBe(400);
  });

  it('fault rateLimitEvery N: every Nth data request answers 429 with Retry-After 1 before it is served', async () => {
    sim.setRateLimits({ perEndpoint: 0, perClinic: 0 });
    sim.setFaults({ rateLimitEvery: 3 });
    try {
      const client = new EzyClient(sim.url, EZY_CREDS);
      await client.bearer(); // the token endpoint is not a data request
      const statuses: number[] = [];
      let last429: Headers | null = null;
      for (let i = 0; i < 6; i++) {
        const r = await client.get('/v1/appointmentstatus');
        statuses.push(r.status);
        if (r.status === 429) last429 = r.headers;
      }
      expect(statuses).toEqual([200, 200, 429, 200, 200, 429]);
      expect(last429!.get('retry-after')).toBe('1');
      expect(sim.stats().rateLimited).toBe(2);
    } finally {
      sim.setFaults({});
    }
  });
});
