import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { captureLogger, clinicInput, startApiHarness, type ApiHarness } from '../testing/harness';
import { NightlyDispatcher } from './nightly-dispatcher';

/**
 * The nightly dispatcher on a real PostgreSQL and pg-boss, with a fixed clock: exactly one run per
 * local day across DST changes, catch-up within the window, missed runs recorded, one leader.
 */

const at = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toJSDate();

describe('nightly dispatcher', () => {
  let h: ApiHarness;
  const q = async (sql: string, params: unknown[] = []) => (await h.db.pool.query(sql, params)).rows;
  const dispatcher = (batchSize = 100) => new NightlyDispatcher({ pool: h.db.pool, syncs: h.syncs, logger: captureLogger('warn').logger, settings: { tickSeconds: 60, batchSize } });

  async function clinic(timezone: string): Promise<string> {
    const { id } = await h.clinics.create(clinicInput({ timezone, name: `Clinic ${timezone}` }) as Parameters<ApiHarness['clinics']['create']>[0]);
    return id;
  }
  /** Scheduled syncs of a clinic as local "date time" of their due instant. */
  async function scheduledRuns(clinicId: string, zone: string, status?: string): Promise<string[]> {
    const rows = await q(
      `select options->>'scheduledFor' as due from public.case_sync_audits
        where clinic_id = $1 and triggered_by = 'schedule' and ($2::text is null or status = $2) order by created_at`,
      [clinicId, status ?? null],
    );
    return rows.map((r) => DateTime.fromISO(r.due, { zone }).toFormat('yyyy-MM-dd HH:mm ZZ'));
  }
  /** Pretends the worker ran every queued sync (so the clinic is free for its next night). */
  const finishQueued = () => q(`update public.case_sync_audits set status = 'completed', completed_at = now() where status in ('queued','in_progress')`);

  /** Only these clinics take part in the test (earlier tests' clinics are switched off). */
  const isolate = (ids: string[]) => q(`update public.clinic_schedule_config set sync_enabled = (clinic_id = any($1))`, [ids]);

  async function runClock(zone: string, fromIso: string, toIso: string, stepMinutes: number, d = dispatcher()) {
    let t = at(fromIso, zone).getTime();
    const end = at(toIso, zone).getTime();
    for (; t <= end; t += stepMinutes * 60_000) {
      await d.tick(new Date(t));
      await finishQueued();
    }
  }

  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each([
    // 2027-03-14: 02:00 does not exist in New York; the run is at 03:00, the first instant after the gap.
    ['America/New_York', '2027-03-13T12:00', '2027-03-16T12:00', ['2027-03-14 03:00 -04:00', '2027-03-15 02:00 -04:00', '2027-03-16 02:00 -04:00']],
    // 2027-11-07: New York falls back at 02:00 EDT to 01:00 EST, so 02:00 occurs once (EST).
    ['America/New_York', '2027-11-06T12:00', '2027-11-09T12:00', ['2027-11-07 02:00 -05:00', '2027-11-08 02:00 -05:00', '2027-11-09 02:00 -05:00']],
    // Berlin: 02:00 does not exist on 2027-03-28; on 2027-10-31 it occurs twice and runs once, at the first.
    ['Europe/Berlin', '2027-03-27T12:00', '2027-03-30T12:00', ['2027-03-28 03:00 +02:00', '2027-03-29 02:00 +02:00', '2027-03-30 02:00 +02:00']],
    ['Europe/Berlin', '2027-10-30T12:00', '2027-11-02T12:00', ['2027-10-31 02:00 +02:00', '2027-11-01 02:00 +01:00', '2027-11-02 02:00 +01:00']],
  ])('%s from %s: exactly one 02:00 run each local day', async (zone, from, to, expected) => {
    const id = await clinic(zone);
    await isolate([id]);
    await runClock(zone, from, to, 10);
    expect(await scheduledRuns(id, zone)).toEqual(expected);
    const triggered = await q(`select distinct triggered_by, sync_type from public.case_sync_audits where clinic_id = $1`, [id]);
    expect(triggered).toEqual([{ triggered_by: 'schedule', sync_type: 'full' }]);
  });

  it('a worker started at 05:00 runs the missed 02:00 sync; one started at 09:00 records it as missed', async () => {
    // One instant, 10:00 UTC, is 05:00 in New York and 09:00 in the Azores (UTC-1 in winter).
    const early = await clinic('America/New_York');
    const late = await clinic('Atlantic/Azores');
    await isolate([early, late]);
    // Both planned the evening before, then no worker ran until the morning.
    await dispatcher().tick(new Date('2027-01-11T22:00:00Z'));
    expect(await q(`select next_sync_at from public.clinic_schedule_config where clinic_id = any($1) order by next_sync_at`, [[early, late]])).toEqual([
      { next_sync_at: new Date('2027-01-12T03:00:00Z') },
      { next_sync_at: new Date('2027-01-12T07:00:00Z') },
    ]);
    const r = await dispatcher().tick(new Date('2027-01-12T10:00:00Z'));
    expect(r).toMatchObject({ led: true, queued: 1, missed: 1 });
    expect(await scheduledRuns(early, 'America/New_York', 'queued')).toEqual(['2027-01-12 02:00 -05:00']);
    const zone = 'Atlantic/Azores';
    const rows = await q(`select status, error_code, error_message from public.case_sync_audits where clinic_id = $1`, [late]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'failed', error_code: 'schedule_missed' });
    expect(rows[0].error_message).toMatch(/2027-01-12 02:00.*missed.*6 hours/);
    const [state] = await q(`select next_sync_at, last_schedule_outcome from public.clinic_schedule_config where clinic_id = $1`, [late]);
    expect(state).toEqual({ next_sync_at: at('2027-01-13T02:00', zone), last_schedule_outcome: 'missed' });
  });

  it('a clinic busy at 02:00 gets its nightly run as soon as it is free, once', async () => {
    const zone = 'America/Chicago';
    const id = await clinic(zone);
    await isolate([id]);
    await dispatcher().tick(at('2027-02-01T20:00', zone));
    const manual = await h.syncs.enqueue({ clinicId: id, syncType: 'full', triggeredBy: 'admin', options: {} });
    const r1 = await dispatcher().tick(at('2027-02-02T02:00', zone));
    expect(r1.busy).toBeGreaterThanOrEqual(1);
    expect(await scheduledRuns(id, zone)).toEqual([]);
    await q(`update public.case_sync_audits set status = 'completed' where id = $1`, [manual.id]);
    await dispatcher().tick(at('2027-02-02T02:05', zone));
    await dispatcher().tick(at('2027-02-02T02:10', zone));
    expect(await scheduledRuns(id, zone)).toEqual(['2027-02-02 02:00 -06:00']);
  });

  it('two dispatchers ticking at once queue each due run once', async () => {
    const zone = 'Asia/Tokyo';
    const ids = await Promise.all(Array.from({ length: 12 }, () => clinic(zone)));
    await isolate(ids);
    await dispatcher().tick(at('2027-04-01T20:00', zone));
    const results = await Promise.all([dispatcher(5).tick(at('2027-04-02T02:01', zone)), dispatcher(5).tick(at('2027-04-02T02:01', zone))]);
    expect(results.reduce((n, r) => n + r.queued, 0)).toBe(12);
    for (const id of ids) expect(await scheduledRuns(id, zone)).toEqual(['2027-04-02 02:00 +09:00']);
  });

  it('a changed cron or time zone re-plans the next run; a disabled clinic is not run', async () => {
    const zone = 'Australia/Sydney';
    const id = await clinic(zone);
    await isolate([id]);
    await dispatcher().tick(at('2027-05-01T10:00', zone));
    await q(`update public.clinic_schedule_config set sync_cron = '30 4 * * *' where clinic_id = $1`, [id]);
    await dispatcher().tick(at('2027-05-01T10:01', zone));
    const [row] = await q(`select next_sync_at from public.clinic_schedule_config where clinic_id = $1`, [id]);
    expect(row.next_sync_at).toEqual(at('2027-05-02T04:30', zone));
    await q(`update public.clinic_schedule_config set sync_enabled = false where clinic_id = $1`, [id]);
    await dispatcher().tick(at('2027-05-02T04:31', zone));
    expect(await scheduledRuns(id, zone)).toEqual([]);
  });
});
