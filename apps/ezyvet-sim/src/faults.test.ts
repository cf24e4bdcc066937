import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEzyvetSimulator, type EzyvetSimulator } from './server';
import { EzyClient, getJson, postJson, records } from './testing/http-client';
import { EZY_CREDS, FIXED_NOW, smallClinic } from './testing/fixtures';

let sim: EzyvetSimulator;
let client: EzyClient;

beforeAll(async () => {
  sim = await startEzyvetSimulator({
    scenario: { clinics: [smallClinic()] },
    now: FIXED_NOW,
    rateLimitPerMinute: 0,
  });
  client = new EzyClient(sim.url, EZY_CREDS);
  await client.bearer();
});
afterAll(() => sim.close());
afterEach(async () => {
  await postJson(sim.url, '/__sim/faults', {});
  sim.resetStats();
});

describe('faults (CONTRACT section 5, docs/ezyvet-wire.md section 9)', () => {
  it("errorRate 1: every data request answers 5xx with ezyVet's error body, counted in errors; the token still works", async () => {
    await postJson(sim.url, '/__sim/faults', { errorRate: 1, seed: 7 });
    for (let i = 0; i < 5; i++) {
      const r = await client.get('/v2/appointment');
      expect([500, 502, 503]).toContain(r.status);
      expect((r.body.messages as { level: string }[])[0].level).toBe('error');
    }
    expect((await new EzyClient(sim.url, EZY_CREDS).grant()).status).toBe(200);
    expect(sim.stats()).toMatchObject({ errors: 5, byCompany: { '8890': { errors: 5 } } });
  });

  it('the same seed draws the same statuses', async () => {
    const run = async () => {
      await postJson(sim.url, '/__sim/faults', { errorRate: 0.5, seed: 'abc' });
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await client.get('/v1/appointmentstatus')).status);
      return out;
    };
    const a = await run();
    expect(await run()).toEqual(a);
    expect(a.some((s) => s === 200)).toBe(true);
    expect(a.some((s) => s >= 500)).toBe(true);
  });

  it('failPaths: a matching path answers 503, the token endpoint included; others are served', async () => {
    await postJson(sim.url, '/__sim/faults', { failPaths: ['/v1/consult', 'oauth'] });
    expect((await client.get('/v1/consult')).status).toBe(503);
    expect((await client.get('/v2/appointment')).status).toBe(200);
    expect((await new EzyClient(sim.url, EZY_CREDS).grant()).status).toBe(503);
  });

  it('malformedIds: those appointments are served without start_at and end_at', async () => {
    await postJson(sim.url, '/__sim/faults', { malformedIds: ['A-1002'] });
    const all = records(
      (await client.get('/v2/appointment', { id: { in: ['A-1001', 'A-1002'] } })).body,
      'appointment',
    );
    expect(all[0]).toHaveProperty('start_at');
    expect(all[1].id).toBe('A-1002');
    expect(all[1]).not.toHaveProperty('start_at');
    expect(all[1]).not.toHaveProperty('end_at');
    expect(records((await client.get('/v2/appointment/A-1002')).body, 'appointment')[0]).not.toHaveProperty(
      'start_at',
    );
  });

  it('latencyMs delays the ezyVet routes (at least that long), not the control API, and faults never touch /__sim', async () => {
    await postJson(sim.url, '/__sim/faults', { latencyMs: 150, errorRate: 1, failPaths: ['__sim'] });
    const t = Date.now();
    await client.get('/v1/appointmentstatus');
    expect(Date.now() - t).toBeGreaterThanOrEqual(145);
    const stats = await getJson(sim.url, '/__sim/stats');
    expect(stats.status).toBe(200);
    expect((await getJson(sim.url, '/__sim/faults')).body).toEqual({
      faults: { latencyMs: 150, errorRate: 1, failPaths: ['__sim'] },
    });
  });

  it('refuses invalid faults with the reason', async () => {
    const r = await postJson(sim.url, '/__sim/faults', { errorRate: 2 });
    expect(r.status).toBe(400);
    expect(String(r.body.error)).toContain('errorRate');
    expect(() => sim.setFaults({ latencyMs: -1 })).toThrow(/latencyMs/);
  });
});
