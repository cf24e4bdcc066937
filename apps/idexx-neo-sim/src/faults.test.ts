import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from './server';
import { NeoHttpClient, postJson } from './testing/http-client';
import { CREDS, FIXED_NOW, smallClinic } from './testing/fixtures';

let sim: Simulator;
let client: NeoHttpClient;
const VIEW = '/appointments/getAppointmentView';
const CONSULT = '/consultations/K-501/page-data';

beforeAll(async () => {
  sim = await startSimulator({ now: FIXED_NOW, scenario: { clinics: [smallClinic()] } });
  client = new NeoHttpClient(sim.url);
  expect((await client.login(CREDS)).status).toBe(302);
});
afterEach(async () => {
  expect((await postJson(sim.url, '/__sim/faults', {})).status).toBe(200);
  sim.resetStats();
});
afterAll(() => sim.close());

describe('faults', () => {
  it('errorRate 1: every JSON request answers 5xx with an HTML error page; pages and /__sim are not affected', async () => {
    await postJson(sim.url, '/__sim/faults', { errorRate: 1 });
    for (let i = 0; i < 5; i++) {
      const res = await client.getJson(VIEW);
      expect([500, 502, 503]).toContain(res.status);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(await res.text()).toMatch(/<h1>50\d /);
    }
    expect((await client.get('/dashboard')).status).toBe(200);
    const stats = await fetch(`${sim.url}/__sim/stats`);
    expect(stats.status).toBe(200);
    expect(((await stats.json()) as { errors: number }).errors).toBe(5);
  });

  it('errorRate 0.5: about half fail, the same seed gives the same sequence', async () => {
    const run = async () => {
      await postJson(sim.url, '/__sim/faults', { errorRate: 0.5, seed: 42 });
      const codes: number[] = [];
      for (let i = 0; i < 40; i++) codes.push((await client.getJson(VIEW)).status);
      return codes;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    const failed = a.filter((s) => s >= 500).length;
    expect(failed).toBeGreaterThan(8);
    expect(failed).toBeLessThan(32);
  });

  it('rateLimitEvery 3: every third JSON request answers 429 with Retry-After: 1', async () => {
    await postJson(sim.url, '/__sim/faults', { rateLimitEvery: 3 });
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await client.getJson(VIEW);
      codes.push(res.status);
      if (res.status === 429) expect(res.headers.get('retry-after')).toBe('1');
      await res.arrayBuffer();
    }
    expect(codes).toEqual([200, 200, 429, 200, 200, 429]);
    expect(sim.stats().rateLimited).toBe(2);
    expect(sim.stats().byCompany['8890'].rateLimited).toBe(2);
  });

  it('failPaths: matching paths answer 503, others are served', async () => {
    await postJson(sim.url, '/__sim/faults', { failPaths: ['consultations'] });
    const res = await client.getJson(CONSULT);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('Service Unavailable');
    expect((await client.getJson(VIEW)).status).toBe(200);
    await postJson(sim.url, '/__sim/faults', { failPaths: ['/login'] });
    expect((await new NeoHttpClient(sim.url).get('/login/')).status).toBe(503);
  });

  it('sessionTtlSeconds: a session expires that long after login', async () => {
    await postJson(sim.url, '/__sim/faults', { sessionTtlSeconds: 0.4 });
    const c = new NeoHttpClient(sim.url);
    await c.login(CREDS);
    expect((await c.getJson(VIEW)).headers.get('content-type')).toContain('application/json');
    await new Promise((r) => setTimeout(r, 500));
    const expired = await c.getJson(VIEW);
    expect(expired.status).toBe(200);
    expect(expired.headers.get('content-type')).toContain('text/html');
    expect(await expired.text()).toContain('csrf_neo_token');
    expect((await c.get(VIEW)).status).toBe(302);
    // Clearing the faults lifts the limit again.
    await postJson(sim.url, '/__sim/faults', {});
    expect((await c.getJson(VIEW)).headers.get('content-type')).toContain('application/json');
  });

  it('latencyMs + jitterMs delay Neo routes but not /__sim', async () => {
    await postJson(sim.url, '/__sim/faults', { latencyMs: 200, jitterMs: 50 });
    let t = Date.now();
    expect((await client.getJson(VIEW)).status).toBe(200);
    const neo = Date.now() - t;
    expect(neo).toBeGreaterThanOrEqual(195);
    expect(neo).toBeLessThan(1500);
    t = Date.now();
    await fetch(`${sim.url}/__sim/stats`);
    expect(Date.now() - t).toBeLessThan(150);
  });

  it('rejects invalid faults with 400 and the reason; GET shows the current ones', async () => {
    const bad = await postJson(sim.url, '/__sim/faults', { errorRate: 2 });
    expect(bad.status).toBe(400);
    expect(String(bad.json.error)).toContain('errorRate');
    const unknown = await postJson(sim.url, '/__sim/faults', { explode: true });
    expect(unknown.status).toBe(400);
    await postJson(sim.url, '/__sim/faults', { rateLimitEvery: 10, failPaths: ['x'] });
    const current = await (await fetch(`${sim.url}/__sim/faults`)).json();
    expect(current).toEqual({ faults: { rateLimitEvery: 10, failPaths: ['x'] } });
    sim.setFaults({});
    expect(await (await fetch(`${sim.url}/__sim/faults`)).json()).toEqual({ faults: {} });
  });

  it('malformedIds: the calendar serves those appointments without their start; the rest and getAppointment are whole', async () => {
    const range = '/appointments/getCalendarEventData?start=2026-11-15%2000:00:00&end=2026-11-25%2000:00:00';
    const before = (await (await client.getJson(range)).json()) as { events: Record<string, unknown>[] };
    const target = before.events.find((e) => e.id === 'A-1001');
    expect(target?.start).toBeTruthy();
    await postJson(sim.url, '/__sim/faults', { malformedIds: ['A-1001'] });
    const after = (await (await client.getJson(range)).json()) as { events: Record<string, unknown>[] };
    expect(after.events).toHaveLength(before.events.length);
    const broken = after.events.find((e) => e.id === 'A-1001')!;
    expect('start' in broken).toBe(false);
    expect(broken.end).toBe(target!.end);
    for (const e of after.events.filter((x) => x.id !== 'A-1001')) expect(e.start).toBeTruthy();
    const one = await client.getJson('/appointments/getAppointment?id=A-1001');
    expect(one.status).toBe(200);
  });
});
