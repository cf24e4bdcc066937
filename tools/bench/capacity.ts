import type pg from 'pg';
import { randomBytes } from 'node:crypto';
import { generateClinic, startSimulator } from '@pims/idexx-neo-sim';
import { generateEncryptionKey } from '@pims/util';
import { startPimsSync } from './stack';
import { cpuSecondsOfTree, median, mib, rssOfTree, sampleTreeRss } from './proc';

export interface CapacityResult {
  clinics: number;
  visitsPerDay: number;
  visits: number;
  latencyMs: number;
  concurrency: number;
  seconds: number;
  clinicsPerHour: number;
  /** clinicsPerHour x 4: what one worker syncs in a 4-hour night at this rate. */
  perNight: number;
  syncSeconds: { p50: number; max: number };
  peakRssMb: { total: number; node: number; browser: number; processes: number };
  /** At the peak: RSS (MiB) and count of the tree's processes by name. */
  peakByName: Record<string, { mb: number; count: number }>;
  /** The tree's RSS as the syncs completed (after a quarter, half, three quarters, all). */
  growth: { syncsDone: number; nodeMb: number; totalMb: number }[];
  /** CPU the worker's tree used while it drained the queue, in cores (1 = one core busy all along). */
  cpuCores: number;
  /** NODE_OPTIONS the worker ran with (from the bench's environment), if any. */
  nodeOptions: string | null;
}

/**
 * Bench 8 (capacity): `clinics` clinics of `visitsPerDay` visits a day (the simulator's generator,
 * 14 days back and 14 forward) behind `latencyMs` of PIMS latency, each with a full sync queued
 * (POST /api/sync/full), drained by one worker process at its concurrency; the time from the first
 * sync's start to the last one's end (from the audits) gives clinics per hour, and the worker's
 * process tree (tsx, Node and its Chromium) is sampled for its peak RSS.
 */
export async function benchCapacity(
  freshDatabase: (name: string) => Promise<{ url: string; pool: pg.Pool }>,
  opts: { clinics?: number; visitsPerDay?: number; latencyMs?: number; concurrency?: number } = {},
): Promise<CapacityResult> {
  const clinics = opts.clinics ?? 50;
  const visitsPerDay = opts.visitsPerDay ?? 60;
  const latencyMs = opts.latencyMs ?? 100;
  const concurrency = opts.concurrency ?? 2;
  const now = new Date();
  const password = 'Capacity-Pass-2026!';
  const scenario = {
    clinics: Array.from({ length: clinics }, (_, i) =>
      generateClinic({
        seed: `cap${i}`,
        companyId: String(9100 + i),
        name: `Capacity Clinic ${i}`,
        timezone: 'America/New_York',
        visitsPerDay,
        now,
        username: `cap${i}`,
        password,
      }),
    ),
  };
  const visits = scenario.clinics.reduce(
    (n, c) => n + c.appointments!.filter((a) => !a.isBlock && !a.isRoster).length,
    0,
  );
  const sim = await startSimulator({ port: 0, now, scenario });
  const db = await freshDatabase('bench_capacity');
  const env = {
    DATABASE_URL: db.url,
    PIMS_SYNC_API_KEY: randomBytes(16).toString('hex'),
    CREDENTIALS_KEY: generateEncryptionKey(),
    PIMS_SYNC_WORKER_CONCURRENCY: String(concurrency),
    PIMS_SYNC_POLL_SECONDS: '1',
  };
  const api = await startPimsSync(env, 'api');
  const procs = [api];
  try {
    sim.setFaults({ latencyMs, jitterMs: 0 });
    const headers = { 'x-api-key': env.PIMS_SYNC_API_KEY, 'content-type': 'application/json' };
    for (let i = 0; i < clinics; i++) {
      const r = await fetch(`${api.url}/api/clinics`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          name: `Capacity Clinic ${i}`,
          timezone: 'America/New_York',
          pims: {
            provider: 'idexx_neo',
            baseUrl: sim.url,
            companyId: String(9100 + i),
            username: `cap${i}`,
            password,
          },
        }),
      });
      if (!r.ok) throw new Error(`clinic ${i}: ${r.status} ${await r.text()}`);
      const { id } = (await r.json()) as { id: string };
      const s = await fetch(`${api.url}/api/sync/full`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ clinicId: id }),
      });
      if (!s.ok) throw new Error(`sync of clinic ${i}: ${s.status} ${await s.text()}`);
    }
    const worker = await startPimsSync(env, 'worker');
    procs.push(worker);
    const sampler = sampleTreeRss(worker.proc.pid!);
    const started = performance.now();
    const cpu0 = cpuSecondsOfTree(worker.proc.pid!);
    // The tree's RSS when a quarter, half, three quarters and all of the syncs had completed.
    const growth: CapacityResult['growth'] = [];
    for (;;) {
      const { rows } = await db.pool.query(
        `select count(*) filter (where status in ('queued', 'in_progress'))::int as open,
                count(*) filter (where status not in ('queued', 'in_progress'))::int as done
           from public.case_sync_audits`,
      );
      const quarter = Math.floor((rows[0].done * 4) / clinics);
      if (quarter > growth.length) {
        const now = rssOfTree(worker.proc.pid!);
        while (growth.length < quarter)
          growth.push({ syncsDone: rows[0].done, nodeMb: mib(now.node), totalMb: mib(now.total) });
      }
      if (rows[0].open === 0) break;
      if (performance.now() - started > 3_600_000)
        throw new Error('capacity bench did not finish in an hour');
      await new Promise((r) => setTimeout(r, 500));
    }
    const peak = sampler.stop();
    const cpuCores = (cpuSecondsOfTree(worker.proc.pid!) - cpu0) / ((performance.now() - started) / 1000);
    const { rows } = await db.pool.query(
      `select extract(epoch from max(completed_at) - min(started_at))::float8 as span,
              count(*) filter (where status = 'completed')::int as ok,
              array_agg(extract(epoch from completed_at - started_at)::float8) as each
         from public.case_sync_audits`,
    );
    if (rows[0].ok !== clinics) throw new Error(`only ${rows[0].ok} of ${clinics} syncs completed`);
    const seconds = Number(rows[0].span);
    const clinicsPerHour = (clinics / seconds) * 3600;
    const each = (rows[0].each as number[]).map(Number);
    return {
      clinics,
      visitsPerDay,
      visits,
      latencyMs,
      concurrency,
      seconds,
      clinicsPerHour,
      perNight: clinicsPerHour * 4,
      syncSeconds: { p50: median(each), max: Math.max(...each) },
      peakRssMb: {
        total: mib(peak.total),
        node: mib(peak.node),
        browser: mib(peak.browser),
        processes: peak.processes,
      },
      growth,
      cpuCores,
      nodeOptions: process.env.NODE_OPTIONS || null,
      peakByName: Object.fromEntries(
        Object.entries(peak.byName).map(([k, v]) => [k, { mb: mib(v.bytes), count: v.count }]),
      ),
    };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await db.pool.end();
    await sim.close();
  }
}
