import type pg from 'pg';
import { RUN_QUEUE, WRITE_BACK_QUEUE } from '../queue/boss';
import type { QUEUE_LABELS } from './labels';

/**
 * What the metrics read from the database at each scrape: two statements, one after the other on
 * the pool (never a connection held while another is asked for). Both read through indexes and
 * never grow with the history:
 *   - the queues: pg-boss's waiting jobs (state created or retry, index job_i5 on (name,
 *     start_after)); a sync job's id is its audit's id, so the audit says who asked for it;
 *   - each clinic with nightly sync on: its newest completed sync (a backward scan of the audit
 *     index on (clinic_id, created_at desc), stopped at the first completed row).
 * The SQL stays here, beside the rest of the app's SQL on pg-boss's tables (queue/), not in the
 * domain's repositories: it serves the metrics alone.
 */

export type QueueLabel = (typeof QUEUE_LABELS)[number];

export interface QueueReading {
  queue: QueueLabel;
  /** Waiting jobs that are due: each waits for a free worker. */
  due: number;
  /** Waiting jobs to start later (a retry's backoff, a delayed attempt). */
  deferred: number;
  /** Seconds the longest-waiting due job has waited since it became due (0 when none). */
  oldestSeconds: number;
}

export interface LastSuccessReading {
  clinicId: string;
  /** Unix seconds of the newest completed sync, or of the clinic's creation when it never had one. */
  at: number;
}

const QUEUES_SQL = `
  with waiting as (
    select case when j.name = $2 then 'write_back'
                when a.triggered_by = 'schedule' then 'sync_scheduled'
                else 'sync_on_demand' end as queue,
           j.start_after
    from pgboss.job j
    left join public.case_sync_audits a on j.name = $1 and a.id = j.id
    where j.name in ($1, $2) and j.state < 'active'
  )
  select queue,
         (count(*) filter (where start_after <= now()))::int as due,
         (count(*) filter (where start_after > now()))::int as deferred,
         coalesce(extract(epoch from now() - min(start_after) filter (where start_after <= now())), 0)::float8 as oldest_seconds
  from waiting
  group by queue`;

const LAST_SUCCESS_SQL = `
  select c.id::text as clinic_id,
         extract(epoch from coalesce(s.completed_at, c.created_at))::float8 as at
  from public.clinics c
  join public.clinic_schedule_config cfg on cfg.clinic_id = c.id and cfg.sync_enabled
  left join lateral (
    select a.completed_at from public.case_sync_audits a
    where a.clinic_id = c.id and a.status = 'completed'
    order by a.created_at desc, a.id desc
    limit 1
  ) s on true`;

export async function readQueues(pool: pg.Pool): Promise<QueueReading[]> {
  const { rows } = await pool.query<{ queue: QueueLabel; due: number; deferred: number; oldest_seconds: number }>(QUEUES_SQL, [RUN_QUEUE, WRITE_BACK_QUEUE]);
  return rows.map((r) => ({ queue: r.queue, due: r.due, deferred: r.deferred, oldestSeconds: Math.max(0, r.oldest_seconds) }));
}

export async function readLastSuccess(pool: pg.Pool): Promise<LastSuccessReading[]> {
  const { rows } = await pool.query<{ clinic_id: string; at: number }>(LAST_SUCCESS_SQL);
  return rows.map((r) => ({ clinicId: r.clinic_id, at: r.at }));
}
