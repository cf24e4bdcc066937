import type { Camelized, Narrow, PgRow, Pool, Queryable, TablesInsert } from '@pims/db';
import { AppError } from '@pims/util';
import type { PhaseName, SyncAudit, SyncPhase, SyncStatus, SyncType, TriggeredBy } from '@pims/sync-contracts';

/** A case_sync_audits row as node-postgres answers it, its text and jsonb columns narrowed to what the sync stores. */
type AuditRow = Narrow<
  PgRow<'case_sync_audits'>,
  {
    sync_type: SyncType;
    status: SyncStatus;
    triggered_by: TriggeredBy;
    current_phase: PhaseName | null;
    phases: SyncPhase[];
    options: Record<string, unknown>;
  }
>;

/** A row of SELECT: the audit and its clinic's name (null when the clinic is gone). */
type AuditSelectRow = AuditRow & { clinic_name: PgRow<'clinics'>['name'] | null };

/** A new queued sync: the case_sync_audits columns createQueued inserts. */
export type NewAudit = Narrow<
  Camelized<Pick<TablesInsert<'case_sync_audits'>, 'clinic_id' | 'sync_type' | 'options' | 'triggered_by' | 'requested_by' | 'retry_of' | 'attempt'>>,
  { syncType: SyncType; options: Record<string, unknown>; triggeredBy: TriggeredBy }
>;

/** The counters of case_sync_audits a running sync writes. */
export type AuditCounters = Camelized<
  Pick<AuditRow, 'appointments_found' | 'cases_created' | 'cases_updated' | 'cases_deleted' | 'total_items' | 'processed_items' | 'progress_percentage'>
>;

export interface AuditListQuery {
  clinicId?: string;
  type?: SyncType;
  status?: SyncStatus;
  limit: number;
  cursor?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const SELECT = `select a.*, c.name as clinic_name from public.case_sync_audits a left join public.clinics c on c.id = a.clinic_id`;

/**
 * Owns all SQL on case_sync_audits. Every state change is a guarded conditional update
 * (`... where status = 'queued'`) whose row count says whether it happened.
 */
export class AuditsRepository {
  constructor(private readonly pool: Pool) {}

  /**
   * Inserts a queued sync. The partial unique index on (clinic_id) where status is queued or
   * in_progress decides races: the loser gets sync_in_progress with the active sync's id. The
   * conflict is an `on conflict do nothing`, so the caller's transaction stays usable and the
   * active sync is read on the same connection (never a second one from the pool).
   */
  async createQueued(input: NewAudit, db: Queryable = this.pool): Promise<SyncAudit> {
    for (let attempt = 1; ; attempt++) {
      let rows: Pick<AuditRow, 'id'>[];
      try {
        ({ rows } = await db.query<Pick<AuditRow, 'id'>>(
          `insert into public.case_sync_audits (clinic_id, sync_type, status, options, triggered_by, requested_by, retry_of, attempt)
           values ($1, $2, 'queued', $3, $4, $5, $6, $7)
           on conflict (clinic_id) where status in ('queued', 'in_progress') do nothing
           returning id`,
          [input.clinicId, input.syncType, JSON.stringify(input.options), input.triggeredBy, input.requestedBy ?? null, input.retryOf ?? null, input.attempt ?? 1],
        ));
      } catch (err) {
        if ((err as { code?: string }).code === '23503') throw new AppError('clinic_not_found', 'No clinic with this id', { status: 404 });
        throw err;
      }
      if (rows[0]) return (await this.findById(rows[0].id, db))!;
      const active = await this.findActive(input.clinicId, db);
      // The active sync may have ended between the two statements: then the insert can win.
      if (active[0] || attempt >= 3) {
        throw new AppError('sync_in_progress', 'A sync is already queued or running for this clinic', {
          status: 409,
          details: { activeSyncId: active[0]?.id },
        });
      }
    }
  }

  async findById(id: string, db: Queryable = this.pool): Promise<SyncAudit | null> {
    if (!UUID.test(id)) return null;
    const { rows } = await db.query<AuditSelectRow>(`${SELECT} where a.id = $1`, [id]);
    return rows[0] ? toAudit(rows[0]) : null;
  }

  /** Queued and running syncs, oldest first. */
  async findActive(clinicId?: string, db: Queryable = this.pool): Promise<SyncAudit[]> {
    const { rows } = await db.query<AuditSelectRow>(
      `${SELECT} where a.status in ('queued', 'in_progress') and ($1::uuid is null or a.clinic_id = $1) order by a.created_at, a.id`,
      [clinicId ?? null],
    );
    return rows.map(toAudit);
  }

  /** Newest first; the cursor is the id of the last item of the previous page. */
  async list(q: AuditListQuery): Promise<{ items: SyncAudit[]; nextCursor: string | null }> {
    if (q.cursor !== undefined && !UUID.test(q.cursor)) {
      throw new AppError('invalid_cursor', 'The cursor is not one this API returned', { status: 400 });
    }
    const { rows } = await this.pool.query<AuditSelectRow>(
      `${SELECT}
       where ($1::uuid is null or a.clinic_id = $1)
         and ($2::text is null or a.sync_type = $2)
         and ($3::text is null or a.status = $3)
         and ($4::uuid is null or (a.created_at, a.id) < (select b.created_at, b.id from public.case_sync_audits b where b.id = $4))
       order by a.created_at desc, a.id desc
       limit $5`,
      [q.clinicId ?? null, q.type ?? null, q.status ?? null, q.cursor ?? null, q.limit + 1],
    );
    const items = rows.slice(0, q.limit).map(toAudit);
    return { items, nextCursor: rows.length > q.limit ? items[items.length - 1].id : null };
  }

  /** queued -> in_progress. Null when the sync is no longer queued (cancelled, taken by another worker). */
  async markStarted(id: string, phases: SyncPhase[]): Promise<SyncAudit | null> {
    const { rowCount } = await this.pool.query(
      `update public.case_sync_audits set status = 'in_progress', started_at = now(), heartbeat_at = now(), phases = $2
       where id = $1 and status = 'queued'`,
      [id, JSON.stringify(phases)],
    );
    return rowCount ? this.findById(id) : null;
  }

  /**
   * Progress of a running sync (also its heartbeat). Returns whether a cancel was requested, or
   * null when the sync is not running any more (then the runner must stop writing).
   */
  async recordProgress(
    id: string,
    patch: { currentPhase: PhaseName | null; phases: SyncPhase[]; counters: AuditCounters },
  ): Promise<{ cancelRequested: boolean } | null> {
    const c = patch.counters;
    const { rows } = await this.pool.query<Pick<AuditRow, 'cancel_requested_at'>>(
      `update public.case_sync_audits set current_phase = $2, phases = $3, appointments_found = $4, cases_created = $5,
         cases_updated = $6, cases_deleted = $7, total_items = $8, processed_items = $9, progress_percentage = $10,
         heartbeat_at = now()
       where id = $1 and status = 'in_progress'
       returning cancel_requested_at`,
      [id, patch.currentPhase, JSON.stringify(patch.phases), c.appointmentsFound, c.casesCreated, c.casesUpdated, c.casesDeleted, c.totalItems, c.processedItems, c.progressPercentage],
    );
    return rows[0] ? { cancelRequested: rows[0].cancel_requested_at !== null } : null;
  }

  async isCancelRequested(id: string): Promise<boolean> {
    const { rows } = await this.pool.query<Pick<AuditRow, 'cancel_requested_at' | 'status'>>(
      `select cancel_requested_at, status from public.case_sync_audits where id = $1`,
      [id],
    );
    return !rows[0] || rows[0].cancel_requested_at !== null || rows[0].status === 'cancelled';
  }

  /** in_progress -> a final status. Null when the sync was not running (already finished or lost). */
  async finish(
    id: string,
    result: { status: Exclude<SyncStatus, 'queued' | 'in_progress'>; phases: SyncPhase[]; counters: AuditCounters; error?: { code: string; message: string } | null },
  ): Promise<SyncAudit | null> {
    const c = result.counters;
    const { rowCount } = await this.pool.query(
      `update public.case_sync_audits set status = $2, phases = $3, appointments_found = $4, cases_created = $5,
         cases_updated = $6, cases_deleted = $7, total_items = $8, processed_items = $9, progress_percentage = $10,
         error_code = $11, error_message = $12, current_phase = null, completed_at = now(), heartbeat_at = now()
       where id = $1 and status = 'in_progress'`,
      [id, result.status, JSON.stringify(result.phases), c.appointmentsFound, c.casesCreated, c.casesUpdated, c.casesDeleted, c.totalItems, c.processedItems, c.progressPercentage, result.error?.code ?? null, result.error?.message ?? null],
    );
    return rowCount ? this.findById(id) : null;
  }

  /**
   * Cancel: a queued sync is cancelled at once; a running one is flagged and stops at its next safe
   * point. A finished sync cannot be cancelled (sync_not_active).
   */
  async requestCancel(id: string): Promise<{ audit: SyncAudit; cancelRequested: boolean }> {
    const queued = await this.pool.query(
      `update public.case_sync_audits set status = 'cancelled', completed_at = now(), cancel_requested_at = now(),
         error_code = 'cancelled', error_message = 'Cancelled before it started'
       where id = $1 and status = 'queued'`,
      [id],
    );
    if (!queued.rowCount) {
      await this.pool.query(
        `update public.case_sync_audits set cancel_requested_at = coalesce(cancel_requested_at, now())
         where id = $1 and status = 'in_progress'`,
        [id],
      );
    }
    const audit = await this.findById(id);
    if (!audit) throw new AppError('sync_not_found', 'No sync with this id', { status: 404 });
    if (audit.status !== 'in_progress' && !queued.rowCount) {
      throw new AppError('sync_not_active', `The sync is already ${audit.status}`, { status: 409 });
    }
    return { audit, cancelRequested: true };
  }

  /**
   * A sync whose worker died: it never stays queued or in progress. Marked failed with worker_lost
   * (then the caller may queue a new attempt), or `cancelled` when a cancel was requested: the
   * cancel is honoured, never turned into a retry. One guarded statement decides both, so a cancel
   * that lands meanwhile is seen. Returns the status it ended with, or null when it had already
   * ended (finished, or recovered by another process).
   */
  async markLost(id: string, message = 'The worker running this sync stopped before it finished'): Promise<'failed' | 'cancelled' | null> {
    const { rows } = await this.pool.query<Narrow<Pick<AuditRow, 'status'>, { status: 'failed' | 'cancelled' }>>(
      `update public.case_sync_audits set
         status = case when cancel_requested_at is null then 'failed' else 'cancelled' end,
         error_code = case when cancel_requested_at is null then 'worker_lost' else 'cancelled' end,
         error_message = case when cancel_requested_at is null then $2
                              else 'Cancelled by request (its worker stopped before it reached a safe point)' end,
         current_phase = null, completed_at = now()
       where id = $1 and status in ('queued', 'in_progress')
       returning status`,
      [id, message],
    );
    return rows[0]?.status ?? null;
  }

  /**
   * Ends a sync with its real error: queued -> failed (it could never start), or in_progress ->
   * failed (its run stopped on an error it could not record). Guarded; true when this call ended it.
   */
  async failActive(id: string, error: { code: string; message: string }): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `update public.case_sync_audits set status = 'failed', error_code = $2, error_message = $3,
         current_phase = null, completed_at = now()
       where id = $1 and status in ('queued', 'in_progress')`,
      [id, error.code, error.message],
    );
    return (rowCount ?? 0) > 0;
  }

  /** Queued syncs created more than the given age ago, oldest first (recovery checks their jobs). */
  async findQueuedOlderThan(seconds: number): Promise<SyncAudit[]> {
    const { rows } = await this.pool.query<AuditSelectRow>(
      `${SELECT} where a.status = 'queued' and a.created_at < now() - make_interval(secs => $1) order by a.created_at, a.id`,
      [seconds],
    );
    return rows.map(toAudit);
  }

  /** Running syncs whose heartbeat is older than the given age. */
  async findStale(olderThanSeconds: number): Promise<SyncAudit[]> {
    const { rows } = await this.pool.query<AuditSelectRow>(
      `${SELECT} where a.status = 'in_progress' and a.heartbeat_at < now() - make_interval(secs => $1) order by a.heartbeat_at`,
      [olderThanSeconds],
    );
    return rows.map(toAudit);
  }
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toAudit(r: AuditSelectRow): SyncAudit {
  return {
    id: r.id,
    clinicId: r.clinic_id,
    clinicName: r.clinic_name ?? null,
    syncType: r.sync_type,
    status: r.status,
    errorMessage: r.error_message,
    errorCode: r.error_code,
    appointmentsFound: r.appointments_found,
    casesCreated: r.cases_created,
    casesUpdated: r.cases_updated,
    casesDeleted: r.cases_deleted,
    totalItems: r.total_items,
    processedItems: r.processed_items,
    progressPercentage: r.progress_percentage,
    currentPhase: r.current_phase,
    phases: r.phases ?? [],
    options: r.options ?? {},
    triggeredBy: r.triggered_by,
    requestedBy: r.requested_by,
    attempt: r.attempt,
    retryOf: r.retry_of,
    cancelRequestedAt: iso(r.cancel_requested_at),
    startedAt: iso(r.started_at),
    completedAt: iso(r.completed_at),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}
