import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SignJWT } from 'jose';
import type pg from 'pg';
import { freePort } from '@pims/db';
import { generateEncryptionKey } from '@pims/util';
import { root, startPimsSync } from './stack';

export interface HistoryResult {
  auditRows: number;
  webIdleRssMb: number;
  webPeakRssMb: number;
  historyMs: { p50: number; p95: number };
  apiMs: { p50: number; p95: number };
  deepPageMs: { p50: number; p95: number };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
};
/** RSS of a process and its children (next start runs the server in a child). */
function treeRssMb(pid: number): number {
  const ps = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout.split('\n').map((s) => Number(s.trim())).filter(Boolean);
  return rssMb(pid) + ps.reduce((sum, p) => sum + treeRssMb(p), 0);
}

/**
 * Bench 5b/5c: 100,000 audit rows; the web server (next start, production build) and pims-sync
 * (api) on them; the history query through the dashboard's tRPC procedure, timed from the client
 * (server time: both servers and Postgres on this machine), and the web server's memory.
 */
export async function benchHistory(freshDatabase: (name: string) => Promise<{ url: string; pool: pg.Pool }>, auditRows = 100_000): Promise<HistoryResult> {
  const db = await freshDatabase('bench_history');
  const clinicIds: string[] = [];
  for (let i = 0; i < 20; i++) {
    const { rows } = await db.pool.query(
      `insert into public.clinics (name, timezone, pims_base_url, pims_credentials_encrypted) values ($1, 'America/New_York', 'http://127.0.0.1:1', 'v1:a:b:c') returning id`,
      [`History Clinic ${i}`],
    );
    clinicIds.push(rows[0].id);
  }
  const phases = JSON.stringify(
    ['backward_inbound', 'case_enrichment', 'forward_inbound', 'reconciliation'].map((name) => ({
      name,
      status: 'completed',
      startedAt: '2026-01-01T02:00:00Z',
      completedAt: '2026-01-01T02:00:05Z',
      stats: { appointmentsFound: 120, casesCreated: 3, casesUpdated: 7 },
      error: null,
    })),
  );
  await db.pool.query(
    `insert into public.case_sync_audits (clinic_id, sync_type, status, phases, options, triggered_by, appointments_found, cases_created,
       cases_updated, total_items, processed_items, progress_percentage, started_at, completed_at, created_at, error_message)
     select ($1::uuid[])[1 + (g % 20)], (array['full','inbound','cases','reconciliation'])[1 + (g % 4)],
       (array['completed','completed','completed','partial','failed'])[1 + (g % 5)], $2::jsonb, '{}'::jsonb,
       (array['schedule','admin','api'])[1 + (g % 3)], 120, 3, 7, 200, 200, 100,
       now() - make_interval(mins => g), now() - make_interval(mins => g) + interval '20 seconds', now() - make_interval(mins => g),
       case when g % 5 = 4 then 'Case enrichment failed: IDEXX Neo did not answer' end
     from generate_series(1, $3) g`,
    [clinicIds, phases, auditRows],
  );
  await db.pool.query('analyze public.case_sync_audits');

  const apiKey = randomBytes(16).toString('hex');
  const api = await startPimsSync({ DATABASE_URL: db.url, PIMS_SYNC_API_KEY: apiKey, CREDENTIALS_KEY: generateEncryptionKey() }, 'api');
  const webDir = path.join(root, 'apps/web');
  const next = path.join(root, 'node_modules/.bin/next');
  if (!existsSync(path.join(webDir, '.next/BUILD_ID'))) {
    const b = spawnSync(next, ['build'], { cwd: webDir, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' }, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('next build failed');
  }
  const secret = randomBytes(48).toString('base64url');
  const port = await freePort();
  const web = spawn(next, ['start', '-p', String(port)], {
    cwd: webDir,
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', PIMS_SYNC_URL: api.url!, PIMS_SYNC_API_KEY: apiKey, AUTH_JWT_SECRET: secret, ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'Bench-Admin-2026!' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/sign-in`)).status < 500) break;
      } catch {
        // starting
      }
      if (i > 240) throw new Error('web did not start');
      await new Promise((r) => setTimeout(r, 500));
    }
    const token = await new SignJWT({ email: 'admin@example.com', role: 'authenticated', app_metadata: { role: 'admin' } })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('bench-admin')
      // The dashboard accepts only a token with a session id (what sign-out revokes).
      .setJti(randomUUID())
      .setAudience('authenticated')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    const cookie = `pims_admin_session=${token}`;
    const trpc = async (input: unknown) => {
      const t = performance.now();
      const r = await fetch(`${base}/api/trpc/admin.sync.getSyncHistory?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: input }))}`, { headers: { cookie } });
      const body = (await r.json()) as [{ result?: { data: { items: unknown[]; nextCursor: string | null } } }];
      if (!r.ok || !body[0].result) throw new Error(`history call failed: ${r.status} ${JSON.stringify(body).slice(0, 300)}`);
      return { ms: performance.now() - t, data: body[0].result.data };
    };
    const idle = treeRssMb(web.pid!);
    let peak = idle;
    const history: number[] = [];
    const apiTimes: number[] = [];
    const deep: number[] = [];
    // warm up (first compile of routes, connection pools)
    for (let i = 0; i < 5; i++) await trpc({ limit: 20 });
    let cursor: string | null = null;
    for (let i = 0; i < 40; i++) {
      const r = await trpc({ limit: 20 });
      history.push(r.ms);
      const page = await trpc({ limit: 20, cursor: cursor ?? undefined, status: i % 2 ? 'failed' : undefined, clinicId: i % 3 ? undefined : clinicIds[i % 20] });
      deep.push(page.ms);
      cursor = page.data.nextCursor;
      const t = performance.now();
      const a = await fetch(`${api.url}/api/sync/history?limit=20`, { headers: { 'x-api-key': apiKey } });
      await a.json();
      apiTimes.push(performance.now() - t);
      peak = Math.max(peak, treeRssMb(web.pid!));
    }
    return {
      auditRows,
      webIdleRssMb: idle,
      webPeakRssMb: peak,
      historyMs: { p50: pct(history, 50), p95: pct(history, 95) },
      apiMs: { p50: pct(apiTimes, 50), p95: pct(apiTimes, 95) },
      deepPageMs: { p50: pct(deep, 50), p95: pct(deep, 95) },
    };
  } finally {
    web.kill('SIGTERM');
    await new Promise((r) => web.once('exit', r));
    await api.stop();
    await db.pool.end();
  }
}
