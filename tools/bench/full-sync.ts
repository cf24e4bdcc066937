import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { generateClinic, startSimulator } from '@pims/idexx-neo-sim';
import { createRepositories } from '@pims/pims-sync';
import { generateEncryptionKey, parseEncryptionKey } from '@pims/util';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface FullSyncResult {
  visits: number;
  consultations: number;
  latencyMs: number;
  first: { seconds: number; lowerBoundSeconds: number; ratio: number; status: string; requests: Record<string, number> };
  unchanged: { seconds: number; rowsWritten: number; consultationRequests: number; shareOfFirst: number; status: string };
  phaseSeconds: Record<string, Record<string, number>>;
  peakWorkerRssMb: number;
  peakWorkerWithBrowserRssMb: number;
}

/**
 * Bench 2 and 3: a full sync of a simulated clinic (about 60 visits a day) with 100 ms PIMS latency,
 * against the lower bound the concurrency settings allow; then the same sync with nothing changed.
 */
export async function benchFullSync(pool: pg.Pool, connectionString: string, opts: { visitsPerDay?: number; latencyMs?: number } = {}): Promise<FullSyncResult> {
  const latencyMs = opts.latencyMs ?? 100;
  const now = new Date();
  const clinic = generateClinic({ seed: 'bench', companyId: '7001', name: 'Bench Clinic', timezone: 'America/New_York', visitsPerDay: opts.visitsPerDay ?? 60, now, password: 'Bench-Pass-2026!', username: 'bench' });
  const sim = await startSimulator({ port: 0, now, scenario: { clinics: [clinic] } });
  try {
    const keyText = generateEncryptionKey();
    const { clinics } = createRepositories(pool, parseEncryptionKey(keyText));
    const { id: clinicId } = await clinics.create({
      name: 'Bench Clinic',
      timezone: 'America/New_York',
      pims: { provider: 'idexx_neo', baseUrl: sim.url, companyId: '7001', username: 'bench', password: 'Bench-Pass-2026!' },
      schedule: { openTime: '08:00', closeTime: '18:00', daysOfWeek: [1, 2, 3, 4, 5, 6], slotDurationMinutes: 30, capacity: 4 },
    });
    sim.setFaults({ latencyMs, jitterMs: 0 });
    sim.resetStats();
    let firstStats: ReturnType<typeof sim.stats> | null = null;
    const child = spawn(path.join(here, '../../node_modules/.bin/tsx'), [path.join(here, 'sync-worker.ts')], {
      env: { ...process.env, DATABASE_URL: connectionString, CLINIC_ID: clinicId, CREDENTIALS_KEY: keyText },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const done = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('first-done') && !firstStats) {
          firstStats = sim.stats();
          sim.resetStats();
        }
      });
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`bench worker exited ${code}`))));
    });
    const text = await done;
    const result = JSON.parse(text.trim().split('\n').at(-1)!);
    const [first, second] = result.runs;
    const stats1 = firstStats!;
    const stats2 = sim.stats();
    // Rows written by the unchanged run: rows inserted or updated after the first run ended
    // (updated_at is set on insert and by the trigger on every update).
    const { rows } = await pool.query(
      `with t as (select completed_at as done from public.case_sync_audits where clinic_id = $1 order by created_at limit 1)
       select (select count(*) from public.cases, t where clinic_id = $1 and updated_at > t.done)
            + (select count(*) from public.schedule_appointments, t where clinic_id = $1 and updated_at > t.done)
            + (select count(*) from public.schedule_slots, t where clinic_id = $1 and updated_at > t.done) as n`,
      [clinicId],
    );
    const visits = clinic.appointments!.filter((a) => !a.isBlock && !a.isRoster).length;
    const consultations = first.phases.find((p: { name: string }) => p.name === 'case_enrichment').stats.fetched;
    // Lower bound along the critical path: requests / concurrency x latency, phase after phase.
    const calendarChunks = (days: number) => Math.ceil((days + 1) / 7);
    const rounds = 3 /* login page, login post + redirect, dashboard */ + Math.ceil(calendarChunks(14) / 3) + Math.ceil(consultations / 5) + Math.ceil(calendarChunks(14) / 3);
    const lowerBoundSeconds = (rounds * latencyMs) / 1000;
    return {
      visits,
      consultations,
      latencyMs,
      first: { seconds: first.seconds, lowerBoundSeconds, ratio: first.seconds / lowerBoundSeconds, status: first.status, requests: stats1.requests },
      unchanged: {
        seconds: second.seconds,
        rowsWritten: Number(rows[0].n),
        consultationRequests: stats2.requests.consultationPageData,
        shareOfFirst: second.seconds / first.seconds,
        status: second.status,
      },
      phaseSeconds: Object.fromEntries(['first', 'unchanged'].map((k, i) => [k, Object.fromEntries(result.runs[i].phases.map((p: { name: string; startedAt: string; completedAt: string }) => [p.name, (Date.parse(p.completedAt) - Date.parse(p.startedAt)) / 1000]))])),
      peakWorkerRssMb: result.peakNodeRssMb,
      peakWorkerWithBrowserRssMb: result.peakTreeRssMb,
    };
  } finally {
    await sim.close();
  }
}
