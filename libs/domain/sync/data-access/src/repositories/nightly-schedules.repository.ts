import type { Camelized, PgRow, Queryable } from '@pims/db';

type ConfigRow = PgRow<'clinic_schedule_config'>;

/** A due clinic's nightly settings from clinic_schedule_config; nextSyncAt is null when its nightly run is not planned yet. */
export interface DueNightlySchedule extends Camelized<Pick<ConfigRow, 'clinic_id' | 'timezone' | 'catch_up_hours' | 'next_sync_at'>> {
  /** sync_cron */
  cron: ConfigRow['sync_cron'];
}

/**
 * The nightly dispatcher's SQL on clinic_schedule_config (its settings and planning state). Every
 * method takes the dispatcher's own connection: a tick runs in one transaction that locks the due
 * rows (`for update skip locked`), so two dispatchers never handle one clinic's run twice.
 */
export class NightlySchedulesRepository {
  /** Takes the dispatcher's leadership for this transaction (one leader per tick across processes). */
  async tryLead(db: Queryable, lockKey: number): Promise<boolean> {
    const { rows } = await db.query<{ ok: boolean }>('select pg_try_advisory_xact_lock($1, 0) as ok', [lockKey]);
    return rows[0]?.ok === true;
  }

  /** Clinics whose nightly run is due at `now` or not planned yet, locked for this transaction. */
  async lockDue(db: Queryable, now: Date, limit: number): Promise<DueNightlySchedule[]> {
    const { rows } = await db.query<Pick<ConfigRow, 'clinic_id' | 'sync_cron' | 'timezone' | 'catch_up_hours' | 'next_sync_at'>>(
      `select clinic_id, sync_cron, timezone, catch_up_hours, next_sync_at
         from public.clinic_schedule_config
        where sync_enabled and coalesce(next_sync_at, '-infinity'::timestamptz) <= $1
        order by coalesce(next_sync_at, '-infinity'::timestamptz)
        limit $2
        for update skip locked`,
      [now, limit],
    );
    return rows.map((r) => ({
      clinicId: r.clinic_id,
      cron: r.sync_cron,
      timezone: r.timezone,
      catchUpHours: r.catch_up_hours,
      nextSyncAt: r.next_sync_at,
    }));
  }

  /** Plans the next run (null: the cron never matches; the clinic is then not planned again until changed). */
  async plan(db: Queryable, clinicId: string, nextSyncAt: Date | null): Promise<void> {
    await db.query(`update public.clinic_schedule_config set next_sync_at = coalesce($2, 'infinity'::timestamptz) where clinic_id = $1`, [
      clinicId,
      nextSyncAt,
    ]);
  }

  /** Records the run due at `dueAt` as handled (queued or missed) and plans the next one. */
  async markHandled(
    db: Queryable,
    clinicId: string,
    run: { dueAt: Date; outcome: 'queued' | 'missed'; syncId: string | null; nextSyncAt: Date | null },
  ): Promise<void> {
    await db.query(
      `update public.clinic_schedule_config
          set next_sync_at = coalesce($2, 'infinity'::timestamptz), last_scheduled_at = $3,
              last_schedule_outcome = $4, last_scheduled_sync_id = $5
        where clinic_id = $1`,
      [clinicId, run.nextSyncAt, run.dueAt, run.outcome, run.syncId],
    );
  }

  /**
   * A nightly run missed because no worker was up within the catch-up window: recorded in the sync
   * history as a failed scheduled sync with code `schedule_missed`, so the admin sees it.
   */
  async recordMissed(db: Queryable, clinicId: string, dueAt: Date, message: string): Promise<string> {
    const { rows } = await db.query<Pick<PgRow<'case_sync_audits'>, 'id'>>(
      `insert into public.case_sync_audits
         (clinic_id, sync_type, status, triggered_by, error_code, error_message, options, completed_at)
       values ($1, 'full', 'failed', 'schedule', 'schedule_missed', $2, $3, now())
       returning id`,
      [clinicId, message, JSON.stringify({ bidirectional: true, allowMassDelete: false, scheduledFor: dueAt.toISOString() })],
    );
    return rows[0].id;
  }
}
