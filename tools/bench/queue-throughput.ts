import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { randomBytes } from 'node:crypto';
import { generateClinic, startSimulator } from '@pims/idexx-neo-sim';
import { generateEncryptionKey } from '@pims/util';
import { startPimsSync } from './stack';

/** Busy and total CPU jiffies of the whole machine (/proc/stat). */
function cpuTimes(): { busy: number; total: number } {
  const [, ...v] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const n = v.map(Number);
  const idle = n[3] + (n[4] ?? 0);
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export interface QueueResult {
  clinics: number;
  one: { seconds: number; cpuBusy: number };
  two: { seconds: number; cpuBusy: number };
  ratio: number;
}

/**
 * Bench 4: 12 clinics through the queue (POST /api/sync/full for each), drained by one worker
 * process, then (on a fresh database) by two; each worker runs 2 syncs at once. Time = first
 * sync started .. last sync completed (from the audits). Throughput ratio = time with one / with two.
 */
export async function benchQueueThroughput(freshDatabase: (name: string) => Promise<{ url: string; pool: pg.Pool }>, clinics = 12): Promise<QueueResult> {
  const now = new Date();
  const scenario = {
    clinics: Array.from({ length: clinics }, (_, i) =>
      generateClinic({ seed: `q${i}`, companyId: String(8100 + i), name: `Queue Clinic ${i}`, timezone: 'America/Chicago', visitsPerDay: 12, now, username: `q${i}`, password: 'Queue-Pass-2026!' }),
    ),
  };
  const sim = await startSimulator({ port: 0, now, scenario });
  sim.setFaults({ latencyMs: 100, jitterMs: 0 });
  const run = async (workers: number) => {
    const db = await freshDatabase(`bench_queue_${workers}`);
    const env = { DATABASE_URL: db.url, PIMS_SYNC_API_KEY: randomBytes(16).toString('hex'), CREDENTIALS_KEY: generateEncryptionKey(), PIMS_SYNC_WORKER_CONCURRENCY: process.env.BENCH_WORKER_CONCURRENCY ?? '1', PIMS_SYNC_POLL_SECONDS: '1' };
    const api = await startPimsSync(env, 'api');
    const procs = [api];
    try {
      const headers = { 'x-api-key': env.PIMS_SYNC_API_KEY, 'content-type': 'application/json' };
      const ids: string[] = [];
      for (let i = 0; i < clinics; i++) {
        const r = await fetch(`${api.url}/api/clinics`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ name: `Queue Clinic ${i}`, timezone: 'America/Chicago', pims: { provider: 'idexx_neo', baseUrl: sim.url, companyId: String(8100 + i), username: `q${i}`, password: 'Queue-Pass-2026!' } }),
        });
        ids.push(((await r.json()) as { id: string }).id);
      }
      const syncIds: string[] = [];
      for (const clinicId of ids) {
        const r = await fetch(`${api.url}/api/sync/full`, { method: 'POST', headers, body: JSON.stringify({ clinicId }) });
        syncIds.push(((await r.json()) as { syncId: string }).syncId);
      }
      const t = performance.now();
      const cpu0 = cpuTimes();
      procs.push(...(await Promise.all(Array.from({ length: workers }, () => startPimsSync(env, 'worker')))));
      for (;;) {
        const { rows } = await db.pool.query(`select count(*)::int as n from public.case_sync_audits where status in ('queued', 'in_progress')`);
        if (rows[0].n === 0) break;
        if (performance.now() - t > 600_000) throw new Error('queue bench did not finish in 10 minutes');
        await new Promise((r) => setTimeout(r, 200));
      }
      const cpu1 = cpuTimes();
      const cpuBusy = (cpu1.busy - cpu0.busy) / Math.max(1, cpu1.total - cpu0.total);
      const { rows: done } = await db.pool.query(`select extract(epoch from max(completed_at) - min(started_at))::float8 as span, count(*) filter (where status = 'completed')::int as ok from public.case_sync_audits`);
      if (done[0].ok !== clinics) throw new Error(`only ${done[0].ok} of ${clinics} syncs completed`);
      if (process.env.BENCH_DEBUG) {
        const { rows: each } = await db.pool.query(
          `select extract(epoch from started_at - (select min(started_at) from public.case_sync_audits))::float8 as s,
                  extract(epoch from completed_at - started_at)::float8 as d, phases from public.case_sync_audits order by started_at`,
        );
        for (const r of each) process.stderr.write(`  start +${r.s.toFixed(1)}s took ${r.d.toFixed(1)}s ${r.phases.map((p: { name: string; startedAt: string; completedAt: string }) => `${p.name}=${((Date.parse(p.completedAt) - Date.parse(p.startedAt)) / 1000).toFixed(1)}`).join(' ')}\n`);
      }
      // From the first sync's start to the last one's end (worker start-up not included).
      return { seconds: Number(done[0].span), cpuBusy };
    } finally {
      await Promise.all(procs.map((p) => p.stop()));
      await db.pool.end();
    }
  };
  try {
    const one = await run(1);
    const two = await run(2);
    return { clinics, one, two, ratio: one.seconds / two.seconds };
  } finally {
    await sim.close();
  }
}
