import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { CasesRepository, WRITE_BATCH, caseFromAppointment } from '@pims/sync-data-access';
import type { PimsAppointment } from '@pims/pims';
import { median } from './proc';

export interface Rate {
  seconds: number;
  rowsPerSecond: number;
}

export interface WriteScenario {
  /** The repository as the sync uses it: batches of WRITE_BATCH rows, one statement (and commit) each. */
  repository: Rate;
  /** The baseline: one statement per row, all inside one transaction (one commit). */
  perRow: Rate;
  /** COPY: first sync, COPY straight into public.cases; re-sync, COPY into a staging table and one upsert from it. */
  copy: Rate;
  /** perRow time / repository time. */
  vsPerRow: number;
  /** copy time / repository time (1 = as fast as COPY). */
  ofCopy: number;
  /** Rows the repository wrote (inserted or updated). */
  rowsWritten: number;
}

export interface WritePathResult {
  rows: number;
  changed: number;
  rounds: number;
  first: WriteScenario;
  resync: WriteScenario;
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
      client: {
        id: `C-${i}`,
        firstName: 'Ana',
        lastName: `Lopez ${i}`,
        phone: '+15551230000',
        email: `owner${i}@example.com`,
      },
      lastUpdatedAt: '2026-11-20 10:02:00',
    });
  }
  return out;
}

/** The same appointments on the next night: every 10th one edited in the PIMS (reason, room, update time). */
function nextNight(appointments: PimsAppointment[]): { rows: PimsAppointment[]; changed: number } {
  let changed = 0;
  const rows = appointments.map((a, i) => {
    if (i % 10 !== 3) return a;
    changed++;
    return {
      ...a,
      reason: `${a.reason} (follow-up booked)`,
      room: { id: 'r2', name: 'Exam 2' },
      lastUpdatedAt: '2026-11-21 08:15:00',
    };
  });
  return { rows, changed };
}

async function newClinic(pool: pg.Pool, name: string): Promise<string> {
  const { rows } = await pool.query(
    `insert into public.clinics (name, timezone, pims_base_url, pims_credentials_encrypted) values ($1, 'America/New_York', 'http://bench', 'v1:a:b:c') returning id`,
    [name],
  );
  return rows[0].id;
}

const SOURCE = 'idexx_neo';
type CaseUpsert = ReturnType<typeof caseFromAppointment>;

/** The repository's upsert, batch after batch, as the backward-inbound phase runs it. */
async function viaRepository(
  repo: CasesRepository,
  clinicId: string,
  rows: CaseUpsert[],
): Promise<{ seconds: number; written: number }> {
  const t = performance.now();
  let written = 0;
  for (let i = 0; i < rows.length; i += WRITE_BATCH) {
    const r = await repo.upsertFromAppointments(clinicId, SOURCE, rows.slice(i, i + WRITE_BATCH));
    written += r.created + r.updated;
  }
  return { seconds: (performance.now() - t) / 1000, written };
}

/**
 * The baseline: the same upsert (unchanged rows skipped, a soft-deleted case restored) one row per
 * statement, every statement inside one transaction, so it pays one commit, not one per row.
 */
async function viaPerRowInOneTransaction(
  pool: pg.Pool,
  clinicId: string,
  rows: CaseUpsert[],
): Promise<number> {
  const client = await pool.connect();
  try {
    const t = performance.now();
    await client.query('begin');
    for (const r of rows) {
      await client.query(
        `insert into public.cases as c (clinic_id, external_id, source, status, scheduled_at, metadata)
         values ($1, $2, $3, $4, $5, jsonb_build_object('pimsAppointment', $6::jsonb))
         on conflict (clinic_id, external_id) do update set
           status = excluded.status, scheduled_at = excluded.scheduled_at, source = excluded.source, deleted_at = null,
           metadata = c.metadata || jsonb_build_object('pimsAppointment', excluded.metadata -> 'pimsAppointment')
         where c.status is distinct from excluded.status
            or c.scheduled_at is distinct from excluded.scheduled_at
            or c.source is distinct from excluded.source
            or c.deleted_at is not null
            or c.metadata -> 'pimsAppointment' is distinct from excluded.metadata -> 'pimsAppointment'`,
        [clinicId, r.externalId, SOURCE, r.status, r.scheduledAt, JSON.stringify(r.pimsAppointment)],
      );
    }
    await client.query('commit');
    return (performance.now() - t) / 1000;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

const esc = (s: string) =>
  s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

async function copyRows(client: pg.PoolClient, sql: string, lines: () => Generator<string>): Promise<void> {
  await pipeline(Readable.from(lines()), client.query(copyStreams.from(sql)));
}

/** First sync through COPY: the rows straight into public.cases (its indexes, constraints and triggers). */
async function viaCopyFirst(pool: pg.Pool, clinicId: string, rows: CaseUpsert[]): Promise<number> {
  const client = await pool.connect();
  try {
    const t = performance.now();
    await copyRows(
      client,
      `copy public.cases (clinic_id, external_id, source, status, scheduled_at, metadata) from stdin`,
      function* () {
        for (const r of rows)
          yield `${clinicId}\t${esc(r.externalId)}\t${SOURCE}\t${r.status}\t${r.scheduledAt}\t${esc(JSON.stringify({ pimsAppointment: r.pimsAppointment }))}\n`;
      },
    );
    return (performance.now() - t) / 1000;
  } finally {
    client.release();
  }
}

/** Re-sync through COPY: COPY into a temporary staging table, then one upsert from it (same skip of unchanged rows). */
async function viaCopyResync(pool: pg.Pool, clinicId: string, rows: CaseUpsert[]): Promise<number> {
  const client = await pool.connect();
  try {
    const t = performance.now();
    await client.query('begin');
    await client.query(
      `create temporary table bench_stage (external_id text, status text, scheduled_at timestamptz, appt jsonb) on commit drop`,
    );
    await copyRows(
      client,
      `copy bench_stage (external_id, status, scheduled_at, appt) from stdin`,
      function* () {
        for (const r of rows)
          yield `${esc(r.externalId)}\t${r.status}\t${r.scheduledAt}\t${esc(JSON.stringify(r.pimsAppointment))}\n`;
      },
    );
    await client.query(
      `insert into public.cases as c (clinic_id, external_id, source, status, scheduled_at, metadata)
       select $1, s.external_id, $2, s.status, s.scheduled_at, jsonb_build_object('pimsAppointment', s.appt) from bench_stage s
       on conflict (clinic_id, external_id) do update set
         status = excluded.status, scheduled_at = excluded.scheduled_at, source = excluded.source, deleted_at = null,
         metadata = c.metadata || jsonb_build_object('pimsAppointment', excluded.metadata -> 'pimsAppointment')
       where c.status is distinct from excluded.status
          or c.scheduled_at is distinct from excluded.scheduled_at
          or c.source is distinct from excluded.source
          or c.deleted_at is not null
          or c.metadata -> 'pimsAppointment' is distinct from excluded.metadata -> 'pimsAppointment'`,
      [clinicId, SOURCE],
    );
    await client.query('commit');
    return (performance.now() - t) / 1000;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Bench 1: writing n cases (a first sync of an empty clinic), then the next night's re-sync of the
 * same n rows of which 10 % changed, three ways, each on its own clinic in the same table: the
 * repository, one statement per row inside one transaction (the baseline), and COPY. Each figure
 * is the median of `rounds` rounds; the three ways take turns within a round.
 */
export async function benchWritePath(pool: pg.Pool, n = 20_000, rounds = 3): Promise<WritePathResult> {
  const repo = new CasesRepository(pool);
  const times = {
    first: { repository: [] as number[], perRow: [] as number[], copy: [] as number[] },
    resync: { repository: [] as number[], perRow: [] as number[], copy: [] as number[] },
  };
  const written = { first: [] as number[], resync: [] as number[] };
  let changed = 0;
  for (let round = 0; round < rounds; round++) {
    const appointments = syntheticAppointments(n, `R${round}`);
    const first = appointments.map(caseFromAppointment);
    const next = nextNight(appointments);
    changed = next.changed;
    const second = next.rows.map(caseFromAppointment);
    const clinics = {
      repository: await newClinic(pool, `bench-repository-${round}`),
      perRow: await newClinic(pool, `bench-per-row-${round}`),
      copy: await newClinic(pool, `bench-copy-${round}`),
    };

    const r1 = await viaRepository(repo, clinics.repository, first);
    times.first.repository.push(r1.seconds);
    written.first.push(r1.written);
    times.first.perRow.push(await viaPerRowInOneTransaction(pool, clinics.perRow, first));
    times.first.copy.push(await viaCopyFirst(pool, clinics.copy, first));

    const r2 = await viaRepository(repo, clinics.repository, second);
    times.resync.repository.push(r2.seconds);
    written.resync.push(r2.written);
    times.resync.perRow.push(await viaPerRowInOneTransaction(pool, clinics.perRow, second));
    times.resync.copy.push(await viaCopyResync(pool, clinics.copy, second));
  }
  const rate = (seconds: number): Rate => ({ seconds, rowsPerSecond: Math.round(n / seconds) });
  const scenario = (k: 'first' | 'resync'): WriteScenario => {
    const repository = median(times[k].repository);
    const perRow = median(times[k].perRow);
    const copy = median(times[k].copy);
    return {
      repository: rate(repository),
      perRow: rate(perRow),
      copy: rate(copy),
      vsPerRow: perRow / repository,
      ofCopy: copy / repository,
      rowsWritten: median(written[k]),
    };
  };
  return { rows: n, changed, rounds, first: scenario('first'), resync: scenario('resync') };
}
