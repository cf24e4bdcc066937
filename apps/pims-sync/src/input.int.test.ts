import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from './app';
import { TriggerFullSyncInput } from '@pims/sync-contracts';
import { ISSUE_LIMITS, ValidationError } from './http/errors';
import { clinicInput, startApiHarness, TEST_API_KEY, type ApiHarness } from './testing/harness';

/** Hostile input: NUL and control characters, huge bodies, huge error lists, crons that fire too often. */
let h: ApiHarness;
let clinicId: string;

beforeAll(async () => {
  h = await startApiHarness();
  const res = await h.request('POST', '/api/clinics', clinicInput({ name: 'Input Clinic' }));
  expect(res.status).toBe(201);
  clinicId = res.body.id;
});
afterAll(async () => {
  await h?.close();
});

const pims = (over: Record<string, unknown>) => ({ ...clinicInput().pims, ...over });

describe('NUL bytes and control characters are 400 validation_error (never a database error)', () => {
  const cases: [string, string, unknown][] = [
    ['trigger requestedBy with NUL', '/api/sync/full', { clinicId: '', requestedBy: 'dr\u0000rivera' }],
    ['trigger requestedBy with ESC', '/api/sync/inbound', { clinicId: '', requestedBy: '\u001b[2Jdr' }],
    ['trigger requestedBy with a line break', '/api/sync/reconcile', { clinicId: '', requestedBy: 'dr\nrivera' }],
    ['clinic name with NUL', '/api/clinics', clinicInput({ name: 'Happy\u0000Paws' })],
    ['clinic name with DEL', '/api/clinics', clinicInput({ name: 'Happy\u007fPaws' })],
    ['companyId with NUL', '/api/clinics', clinicInput({ pims: pims({ companyId: '88\u000090' }) })],
    ['username with NUL', '/api/clinics', clinicInput({ pims: pims({ username: 'front\u0000desk' }) })],
    ['baseUrl with NUL', '/api/clinics', clinicInput({ pims: pims({ baseUrl: 'http://127.0.0.1:3200/\u0000' }) })],
    ['time zone with NUL', '/api/clinics', clinicInput({ timezone: 'America/New_York\u0000' })],
  ];
  for (const [what, path, body] of cases) {
    it(what, async () => {
      const b = body as Record<string, unknown>;
      const res = await h.request('POST', path, 'clinicId' in b ? { ...b, clinicId } : b);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
      expect(res.body.error.issues.length).toBeGreaterThan(0);
    });
  }

  it('a NUL in a query string or a path parameter is a 400 too', async () => {
    expect((await h.request('GET', `/api/sync/history?cursor=${encodeURIComponent('a\u0000b')}`)).status).toBe(400);
    expect((await h.request('GET', `/api/sync/history?clinicId=${encodeURIComponent(`${clinicId}\u0000`)}`)).status).toBe(400);
    expect((await h.request('GET', `/api/sync/${encodeURIComponent(`${clinicId}\u0000`)}`)).status).toBe(400);
  });

  it('no clinic and no sync was written, and nothing was logged as a failure', async () => {
    const { rows } = await h.db.pool.query(`select (select count(*)::int from public.clinics) as clinics, (select count(*)::int from public.case_sync_audits) as audits`);
    expect(rows[0]).toEqual({ clinics: 1, audits: 0 });
    expect(h.logLines.join('')).not.toMatch(/"level":50/);
  });
});

/** A body of `total` bytes in chunks, counting how much of it the app pulled. */
function countingBody(total: number, chunk = 16 * 1024) {
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent >= total) return c.close();
      const n = Math.min(chunk, total - sent);
      sent += n;
      c.enqueue(new TextEncoder().encode(n === total ? '{' : ' '.repeat(n)));
    },
  });
  return { stream, pulled: () => sent };
}

describe(`bodies over ${MAX_BODY_BYTES / 1024} KB are 413 payload_too_large, without being read`, () => {
  const FIVE_MB = 5 * 1024 * 1024;

  it('refused from its Content-Length: not a byte read', async () => {
    const body = countingBody(FIVE_MB);
    const res = await h.app.request('/api/sync/full', {
      method: 'POST',
      headers: { 'x-api-key': TEST_API_KEY, 'content-type': 'application/json', 'content-length': String(FIVE_MB) },
      body: body.stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatchObject({ code: 'payload_too_large' });
    expect(body.pulled()).toBeLessThan(MAX_BODY_BYTES);
  });

  it('streamed without a length: reading stops just past the limit', async () => {
    const body = countingBody(FIVE_MB);
    const res = await h.app.request('/api/clinics', {
      method: 'POST',
      headers: { 'x-api-key': TEST_API_KEY, 'content-type': 'application/json' },
      body: body.stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('payload_too_large');
    expect(body.pulled()).toBeLessThan(MAX_BODY_BYTES * 2);
  });

  it('a 5 MB JSON string is refused the same way; a body just under the limit is read', async () => {
    const big = await h.request('POST', '/api/sync/full', { clinicId, requestedBy: 'x'.repeat(FIVE_MB) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    const padded = await h.request('POST', '/api/sync/full', JSON.stringify({ clinicId }) + ' '.repeat(MAX_BODY_BYTES - 200));
    expect(padded.status).toBe(202);
    await h.request('POST', `/api/sync/${padded.body.syncId}/cancel`);
  });
});

describe('validation answers stay small', () => {
  const unknownKeys = (n: number, name: (i: number) => string) => {
    const body: Record<string, unknown> = { clinicId };
    for (let i = 0; i < n; i++) body[name(i)] = 0;
    return body;
  };
  const expectBounded = (err: { code: string; message: string; issues: { code: string; keys?: string[]; keysOmitted?: number; message: string }[] }, keys: number) => {
    expect(err.code).toBe('validation_error');
    expect(err.issues.length).toBeGreaterThan(0);
    expect(err.issues.length).toBeLessThanOrEqual(ISSUE_LIMITS.issues);
    const unknown = err.issues.find((i) => i.code === 'unrecognized_keys')!;
    expect(unknown.keys).toHaveLength(ISSUE_LIMITS.listItems);
    expect(unknown.keysOmitted).toBe(keys - ISSUE_LIMITS.listItems);
    expect(unknown.message.length).toBeLessThanOrEqual(ISSUE_LIMITS.message);
    expect(err.message.length).toBeLessThan(400);
  };

  it('20,000 unknown keys (a 600 KB body): a small 413, nothing echoed', async () => {
    const res = await h.request('POST', '/api/sync/full', unknownKeys(20_000, (i) => `unknown_key_number_${i}`));
    expect(res.status).toBe(413);
    expect(JSON.stringify(res.body).length).toBeLessThan(200);
  });

  it('as many unknown keys as fit in the body limit: a 400 of a few KB with bounded issues and keys', async () => {
    const n = 8_000;
    const body = unknownKeys(n, (i) => i.toString(36));
    expect(JSON.stringify(body).length).toBeLessThan(MAX_BODY_BYTES);
    const res = await h.app.request('/api/sync/full', {
      method: 'POST',
      headers: { 'x-api-key': TEST_API_KEY, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text.length).toBeLessThan(ISSUE_LIMITS.bytes + 1024);
    expectBounded(JSON.parse(text).error, n);
  });

  it('a validation error of 20,000 unknown keys is bounded the same way (schema level)', () => {
    const parsed = TriggerFullSyncInput.safeParse(unknownKeys(20_000, (i) => `unknown_key_number_${i}`));
    expect(parsed.success).toBe(false);
    const err = new ValidationError(parsed.error!.issues, 'request body');
    expect(JSON.stringify({ error: { code: err.code, message: err.message, issues: err.issues } }).length).toBeLessThan(ISSUE_LIMITS.bytes + 1024);
    expectBounded({ code: err.code, message: err.message, issues: err.issues as never }, 20_000);
  });

  it('many bad array items give at most the issue limit', async () => {
    const res = await h.request('POST', '/api/clinics', clinicInput({ schedule: { daysOfWeek: Array.from({ length: 5000 }, () => 99) } }));
    expect(res.status).toBe(400);
    expect(res.body.error.issues.length).toBeLessThanOrEqual(ISSUE_LIMITS.issues);
    expect(JSON.stringify(res.body).length).toBeLessThan(ISSUE_LIMITS.bytes + 2048);
  });

  it('a long value is not echoed', async () => {
    const res = await h.request('POST', '/api/sync/full', { clinicId, requestedBy: 'Z'.repeat(30_000) });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toContain('Z'.repeat(100));
  });
});

describe('syncCron: 5 fields, at most once an hour', () => {
  for (const cron of ['* * * * *', '*/5 * * * *', '0,30 2 * * *', '0 0 2 * * *', '6f1c2f9e-2d5b-4a53-9a43-2f7f0a6c1b11', '0 25 * * *', '0 2 * * 9', '@hourly']) {
    it(`refuses ${JSON.stringify(cron)}`, async () => {
      const res = await h.request('POST', '/api/clinics', clinicInput({ name: `Cron ${cron}`, schedule: { syncCron: cron } }));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
      expect(res.body.error.issues.map((i: { path: string[] }) => i.path.join('.'))).toContain('schedule.syncCron');
    });
  }

  for (const cron of ['0 2 * * *', '30 3 * * 1-5', '15 */6 * * *']) {
    it(`accepts ${JSON.stringify(cron)} and schedules it`, async () => {
      const res = await h.request('POST', '/api/clinics', clinicInput({ name: `Cron ${cron}`, schedule: { syncCron: cron } }));
      expect(res.status).toBe(201);
      const { rows } = await h.db.pool.query(`select sync_cron from public.clinic_schedule_config where clinic_id = $1 and sync_enabled`, [res.body.id]);
      expect(rows[0]?.sync_cron).toBe(cron);
    });
  }
});
