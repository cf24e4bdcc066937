import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { CasesRepository, WRITE_BATCH, caseFromAppointment } from '@pims/sync-data-access';
import type { PimsAppointment } from '@pims/pims';

export interface WritePathResult {
  rows: number;
  repository: { seconds: number; rowsPerSecond: number };
  perRow: { seconds: number; rowsPerSecond: number };
  copy: { seconds: number; rowsPerSecond: number };
  vsPerRow: number;
  ofCopy: number;
}

/** 20,000 realistic normalized appointments, as the IDEXX Neo client returns them. */
export function syntheticAppointments(n: number, prefix: string): PimsAppointment[] {
  const species = ['Canine', 'Feline', 'Rabbit', 'Avian'];
  const out: PimsAppointment[] = [];
  const base = Date.parse('2026-11-01T13:00:00Z');
  for (let i = 0; i < n; i++) {
    const start = new Date(base + (i % 2000) * 15 * 60_000 + Math.floor(i / 2000) * 86_400_000);
    const iso = start.toISOString();
    out.push({
      id: `${prefix}-${i}`,
      date: iso.slice(0, 10),
      startTime: iso.slice(11, 19),
      endDate: iso.slice(0, 10),
      endTime: iso.slice(11, 19),
      startAt: iso,
      endAt: new Date(start.getTime() + 30 * 60_000).toISOString(),
      status: i % 10 === 0 ? 'cancelled' : 'completed',
      rawStatus: i % 10 === 0 ? 'cancelled' : 'finalized',
      type: 'Wellness Exam',
      reason: `Annual vaccines and check-up, visit ${i}`,
      consultationId: `K-${prefix}-${i}`,
      provider: { id: 'p1', name: 'Dr. Rivera' },
      room: { id: 'r1', name: 'Exam 1' },
      patient: { id: `P-${i}`, name: `Pet ${i}`, species: species[i % 4], breed: 'Mixed' },
      client: { id: `C-${i}`, firstName: 'Ana', lastName: `Lopez ${i}`, phone: '+15551230000', email: `owner${i}@example.com` },
      lastUpdatedAt: '2026-11-20 10:02:00',
    });
  }
  return out;
}

async function newClinic(pool: pg.Pool, name: string): Promise<string> {
  const { rows } = await pool.query(
    `insert into public.clinics (name, timezone, pims_base_url, pims_credentials_encrypted) values ($1, 'America/New_York', 'http://bench', 'v1:a:b:c') returning id`,
    [name],
  );
  return rows[0].id;
}

export async function benchWritePath(pool: pg.Pool, n = 20_000): Promise<WritePathResult> {
  const repo = new CasesRepository(pool);

  // (1) the repository: one unnest statement per batch
  const c1 = await newClinic(pool, 'bench-repository');
  const rows1 = syntheticAppointments(n, 'R').map(caseFromAppointment);
  let t = performance.now();
  for (let i = 0; i < rows1.length; i += WRITE_BATCH) {
    await repo.upsertFromAppointments(c1, 'idexx_neo', rows1.slice(i, i + WRITE_BATCH));
  }
  const repoSeconds = (performance.now() - t) / 1000;

  // (a) the naive baseline: one statement per row, same upsert
  const c2 = await newClinic(pool, 'bench-per-row');
  const rows2 = syntheticAppointments(n, 'N').map(caseFromAppointment);
  t = performance.now();
  for (const r of rows2) {
    await pool.query(
      `insert into public.cases (clinic_id, external_id, source, status, scheduled_at, metadata)
       values ($1, $2, 'idexx_neo', $3, $4, jsonb_build_object('pimsAppointment', $5::jsonb))
       on conflict (clinic_id, external_id) do update set status = excluded.status, scheduled_at = excluded.scheduled_at,
         metadata = public.cases.metadata || jsonb_build_object('pimsAppointment', excluded.metadata -> 'pimsAppointment')`,
      [c2, r.externalId, r.status, r.scheduledAt, JSON.stringify(r.pimsAppointment)],
    );
  }
  const perRowSeconds = (performance.now() - t) / 1000;

  // (b) the ceiling: COPY into a scratch copy of the table (same columns, defaults and unique key)
  const c3 = await newClinic(pool, 'bench-copy');
  const rows3 = syntheticAppointments(n, 'C').map(caseFromAppointment);
  await pool.query(`drop table if exists public.bench_cases_copy`);
  await pool.query(`create table public.bench_cases_copy (like public.cases including defaults including indexes)`);
  const client = await pool.connect();
  try {
    const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
    t = performance.now();
    const stream = client.query(copyStreams.from(`copy public.bench_cases_copy (clinic_id, external_id, source, status, scheduled_at, metadata) from stdin`));
    await pipeline(
      Readable.from(
        (function* () {
          for (const r of rows3) {
            yield `${c3}\t${esc(r.externalId)}\tidexx_neo\t${r.status}\t${r.scheduledAt}\t${esc(JSON.stringify({ pimsAppointment: r.pimsAppointment }))}\n`;
          }
        })(),
      ),
      stream,
    );
  } finally {
    client.release();
  }
  const copySeconds = (performance.now() - t) / 1000;
  await pool.query(`drop table public.bench_cases_copy`);

  const rate = (s: number) => Math.round(n / s);
  return {
    rows: n,
    repository: { seconds: repoSeconds, rowsPerSecond: rate(repoSeconds) },
    perRow: { seconds: perRowSeconds, rowsPerSecond: rate(perRowSeconds) },
    copy: { seconds: copySeconds, rowsPerSecond: rate(copySeconds) },
    vsPerRow: perRowSeconds / repoSeconds,
    ofCopy: copySeconds / repoSeconds,
  };
}
