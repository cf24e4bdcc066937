import type { Camelized, Narrow, PgRow, Pool, Queryable, TablesInsert } from '@pims/db';

/** The values of cases.status (its check constraint; the generated type says text). */
export type CaseStatus = 'draft' | 'ongoing' | 'completed' | 'reviewed';

/** A cases row, as node-postgres answers it. */
type CaseRow = Narrow<PgRow<'cases'>, { status: CaseStatus }>;

/** One element of the batch document upsertFromAppointments sends (read by jsonb_to_recordset). */
type CaseUpsertInput = Narrow<Required<Pick<TablesInsert<'cases'>, 'external_id' | 'status' | 'scheduled_at'>>, { status: CaseStatus }> & {
  appt: Record<string, unknown>;
};

/** A case written from a PIMS appointment: its external id, status and scheduled instant (ISO). */
export interface CaseUpsert extends Camelized<Pick<CaseUpsertInput, 'external_id' | 'status'>> {
  scheduledAt: NonNullable<CaseUpsertInput['scheduled_at']>;
  /** The normalized appointment, stored at metadata.pimsAppointment. */
  pimsAppointment: Record<string, unknown>;
}

/** A case of the window as the sync compares it with the PIMS: its row's id, external id, status and deletion, and what its metadata says. */
export interface WindowCase extends Camelized<Pick<CaseRow, 'id' | 'external_id' | 'status' | 'deleted_at'>> {
  pimsStatus: string | null;
  consultationId: string | null;
  /** metadata.pimsAppointment.lastUpdatedAt */
  appointmentUpdatedAt: string | null;
  /** metadata.pimsConsultation.sourceUpdatedAt, or null when never fetched */
  consultationSourceUpdatedAt: string | null;
  /** metadata.pimsConsultation.id: the consultation the stored copy (or missing mark) is of */
  storedConsultationId: string | null;
  /** Whether metadata.pimsConsultation is there (a fetched copy, or the mark of one the PIMS did not find). */
  hasConsultation: boolean;
  /** metadata.pimsConsultation.missing: the PIMS answered the consultation as not found. */
  consultationMissing: boolean;
  removedFromPims: boolean;
}

/** A row of findInWindow's select: the case's columns and what it reads out of metadata. */
type WindowCaseRow = Pick<CaseRow, 'id' | 'external_id' | 'status' | 'deleted_at'> & {
  pims_status: string | null;
  consultation_id: string | null;
  appointment_updated_at: string | null;
  consultation_source_updated_at: string | null;
  stored_consultation_id: string | null;
  has_consultation: boolean;
  consultation_missing: boolean;
  removed_from_pims: boolean;
};

export interface UpsertCounts {
  created: number;
  updated: number;
  restored: number;
}

/**
 * Owns all SQL on cases. Writes are one statement per batch and skip rows whose data would not
 * change, so an unchanged case keeps its updated_at.
 */
export class CasesRepository {
  constructor(private readonly pool: Pool) {}

  /**
   * Inserts or updates a batch of cases from PIMS appointments (one statement). A case that
   * reconciliation had soft-deleted and whose appointment is back is restored here too.
   */
  async upsertFromAppointments(clinicId: string, source: string, rows: CaseUpsert[], db: Queryable = this.pool): Promise<UpsertCounts> {
    if (rows.length === 0) return { created: 0, updated: 0, restored: 0 };
    // The batch travels as one JSON document (jsonb_to_recordset): parsing one document is much
    // cheaper for the server than an array literal of escaped JSON strings.
    const payload = JSON.stringify(
      rows.map((r): CaseUpsertInput => ({ external_id: r.externalId, status: r.status, scheduled_at: r.scheduledAt, appt: r.pimsAppointment })),
    );
    const { rows: out } = await db.query<{ inserted: boolean; restored: boolean }>(
      `insert into public.cases as c (clinic_id, external_id, source, status, scheduled_at, metadata)
       select $1, i.external_id, $3, i.status, i.scheduled_at, jsonb_build_object('pimsAppointment', i.appt)
       from jsonb_to_recordset($2::jsonb) as i(external_id text, status text, scheduled_at timestamptz, appt jsonb)
       on conflict (clinic_id, external_id) do update set
         status = excluded.status,
         scheduled_at = excluded.scheduled_at,
         source = excluded.source,
         deleted_at = null,
         metadata = case
           when c.deleted_at is not null then
             c.metadata || jsonb_build_object('pimsAppointment', excluded.metadata -> 'pimsAppointment',
               'reconciliation', coalesce(c.metadata -> 'reconciliation', '{}'::jsonb) || jsonb_build_object('restoredAt', now()))
           else c.metadata || jsonb_build_object('pimsAppointment', excluded.metadata -> 'pimsAppointment')
         end
       where c.status is distinct from excluded.status
          or c.scheduled_at is distinct from excluded.scheduled_at
          or c.source is distinct from excluded.source
          or c.deleted_at is not null
          or c.metadata -> 'pimsAppointment' is distinct from excluded.metadata -> 'pimsAppointment'
       returning (xmax = 0) as inserted, (xmax <> 0 and c.metadata -> 'reconciliation' ? 'restoredAt'
         and (c.metadata -> 'reconciliation' ->> 'restoredAt')::timestamptz = now()) as restored`,
      [clinicId, payload, source],
    );
    const created = out.filter((r) => r.inserted).length;
    const restored = out.filter((r) => r.restored).length;
    return { created, updated: out.length - created, restored };
  }

  /** The clinic's cases from `source` (its PIMS provider; deleted ones included) whose scheduled instant is in [from, to). */
  async findInWindow(clinicId: string, source: string, from: Date, to: Date, db: Queryable = this.pool): Promise<WindowCase[]> {
    const { rows } = await db.query<WindowCaseRow>(
      `select id, external_id, status, deleted_at,
              metadata -> 'pimsAppointment' ->> 'status' as pims_status,
              metadata -> 'pimsAppointment' ->> 'consultationId' as consultation_id,
              metadata -> 'pimsAppointment' ->> 'lastUpdatedAt' as appointment_updated_at,
              metadata -> 'pimsConsultation' ->> 'sourceUpdatedAt' as consultation_source_updated_at,
              metadata -> 'pimsConsultation' ->> 'id' as stored_consultation_id,
              metadata ? 'pimsConsultation' as has_consultation,
              coalesce((metadata -> 'pimsConsultation' ->> 'missing')::boolean, false) as consultation_missing,
              coalesce(metadata -> 'reconciliation' ->> 'reason' = 'removed_from_pims', false) as removed_from_pims
       from public.cases
       where clinic_id = $1 and source = $4 and scheduled_at >= $2 and scheduled_at < $3
       order by scheduled_at, external_id`,
      [clinicId, from, to, source],
    );
    return rows.map((r) => ({
      id: r.id,
      externalId: r.external_id,
      status: r.status,
      deletedAt: r.deleted_at,
      pimsStatus: r.pims_status,
      consultationId: r.consultation_id,
      appointmentUpdatedAt: r.appointment_updated_at,
      consultationSourceUpdatedAt: r.consultation_source_updated_at,
      storedConsultationId: r.stored_consultation_id,
      hasConsultation: r.has_consultation,
      consultationMissing: r.consultation_missing,
      removedFromPims: r.removed_from_pims,
    }));
  }

  /**
   * Stores fetched consultations, or the mark of one the PIMS did not find, at
   * metadata.pimsConsultation (one statement; rows whose copy differs only in when it was fetched
   * or checked are skipped).
   */
  async setConsultations(clinicId: string, items: { caseId: string; consultation: Record<string, unknown> }[], db: Queryable = this.pool): Promise<number> {
    if (items.length === 0) return 0;
    const { rowCount } = await db.query(
      `update public.cases c set metadata = c.metadata || jsonb_build_object('pimsConsultation', u.consultation)
       from jsonb_to_recordset($2::jsonb) as u(id uuid, consultation jsonb)
       where c.id = u.id and c.clinic_id = $1 and c.deleted_at is null
         and (c.metadata -> 'pimsConsultation') - 'fetchedAt' - 'checkedAt' is distinct from u.consultation - 'fetchedAt' - 'checkedAt'`,
      [clinicId, JSON.stringify(items.map((i) => ({ id: i.caseId, consultation: i.consultation })))],
    );
    return rowCount ?? 0;
  }

  /** Soft-deletes cases whose appointment is gone from the PIMS. */
  async softDeleteRemoved(clinicId: string, ids: string[], syncId: string, db: Queryable = this.pool): Promise<number> {
    if (ids.length === 0) return 0;
    const { rowCount } = await db.query(
      `update public.cases set status = 'reviewed', deleted_at = now(),
         metadata = metadata || jsonb_build_object('reconciliation',
           jsonb_build_object('deletedAt', now(), 'reason', 'removed_from_pims', 'syncId', $3::text))
       where clinic_id = $1 and id = any($2::uuid[]) and deleted_at is null`,
      [clinicId, ids, syncId],
    );
    return rowCount ?? 0;
  }

  /** Sets new statuses (and the PIMS status in metadata) on live cases. */
  async updateStatuses(clinicId: string, items: { id: string; status: CaseStatus; pimsStatus: string }[], db: Queryable = this.pool): Promise<number> {
    if (items.length === 0) return 0;
    const { rowCount } = await db.query(
      `update public.cases c set status = u.status,
         metadata = jsonb_set(c.metadata, '{pimsAppointment,status}', to_jsonb(u.pims_status))
       from unnest($2::uuid[], $3::text[], $4::text[]) as u(id, status, pims_status)
       where c.id = u.id and c.clinic_id = $1 and c.deleted_at is null
         and (c.status is distinct from u.status or c.metadata -> 'pimsAppointment' ->> 'status' is distinct from u.pims_status)`,
      [clinicId, items.map((i) => i.id), items.map((i) => i.status), items.map((i) => i.pimsStatus)],
    );
    return rowCount ?? 0;
  }

  /** Restores soft-deleted cases whose appointment is back in the PIMS. */
  async restore(clinicId: string, items: { id: string; status: CaseStatus; pimsStatus: string }[], db: Queryable = this.pool): Promise<number> {
    if (items.length === 0) return 0;
    const { rowCount } = await db.query(
      `update public.cases c set status = u.status, deleted_at = null,
         metadata = jsonb_set(c.metadata, '{pimsAppointment,status}', to_jsonb(u.pims_status))
           || jsonb_build_object('reconciliation', coalesce(c.metadata -> 'reconciliation', '{}'::jsonb) || jsonb_build_object('restoredAt', now()))
       from unnest($2::uuid[], $3::text[], $4::text[]) as u(id, status, pims_status)
       where c.id = u.id and c.clinic_id = $1 and c.deleted_at is not null`,
      [clinicId, items.map((i) => i.id), items.map((i) => i.status), items.map((i) => i.pimsStatus)],
    );
    return rowCount ?? 0;
  }
}
