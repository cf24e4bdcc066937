import type { Camelized, Database, PgRow, Pool, Queryable, TablesInsert } from '@pims/db';

type SlotColumn = 'date' | 'start_time' | 'end_time' | 'start_at' | 'end_at' | 'capacity';
type AppointmentColumn = 'neo_appointment_id' | 'date' | 'start_time' | 'end_time' | 'start_at' | 'end_at' | 'status';

/** A schedule_slots row the forward sync writes: local date, 'HH:MM:SS' times, ISO instants. */
export type SlotRow = Camelized<Pick<TablesInsert<'schedule_slots'>, SlotColumn>>;

/** A schedule_appointments row the forward sync writes (local date and 'HH:MM:SS' times, ISO instants, the normalized status). */
export interface ScheduleAppointmentRow extends Camelized<Pick<TablesInsert<'schedule_appointments'>, AppointmentColumn>> {
  /** Start time of the slot that covers this appointment, or null outside business hours. */
  slotStartTime: string | null;
  metadata: Record<string, unknown>;
}

/** One element of the batch document upsertAppointments sends (read by jsonb_to_recordset). */
type AppointmentInput = Required<Pick<TablesInsert<'schedule_appointments'>, AppointmentColumn>> & {
  slot_start_time: string | null;
  metadata: Record<string, unknown>;
};

/** Owns all SQL on schedule_slots and schedule_appointments. */
export class ScheduleRepository {
  constructor(private readonly pool: Pool) {}

  /**
   * Makes the window's slots exactly the given grid: inserts new ones, updates changed ones,
   * deletes slots no longer in the grid (their appointments' slot_id becomes null). Unchanged rows
   * are not written. A slot out of the grid that holds a live booking (confirmed, or a hold) is not
   * deleted but retired: capacity 0, so it takes no new booking while its bookings keep their seat
   * and stay counted; it opens again if the grid brings it back. The candidates are locked first, so
   * a booking that took a seat in one meanwhile (under that slot's lock) is seen. Returns counts.
   */
  async replaceSlots(
    clinicId: string,
    fromDate: string,
    toDate: string,
    slots: SlotRow[],
    db: Queryable = this.pool,
  ): Promise<{ upserted: number; deleted: number; retired: number }> {
    const cols = [
      slots.map((s) => s.date),
      slots.map((s) => s.startTime),
      slots.map((s) => s.endTime),
      slots.map((s) => s.startAt),
      slots.map((s) => s.endAt),
      slots.map((s) => s.capacity),
    ];
    const { rows: gone } = await db.query<Pick<PgRow<'schedule_slots'>, 'id'>>(
      `select s.id from public.schedule_slots s
       where s.clinic_id = $1 and s.date between $2 and $3
         and not exists (select 1 from unnest($4::date[], $5::time[]) as u(date, start_time) where u.date = s.date and u.start_time = s.start_time)
       order by s.id
       for update`,
      [clinicId, fromDate, toDate, cols[0], cols[1]],
    );
    const goneIds = gone.map((r) => r.id);
    const booked = `exists (select 1 from public.bookings b where b.slot_id = s.id and b.status in ('held', 'confirmed'))`;
    const retired = goneIds.length
      ? await db.query(`update public.schedule_slots s set capacity = 0 where s.id = any($1::uuid[]) and s.capacity <> 0 and ${booked}`, [goneIds])
      : { rowCount: 0 };
    const del = goneIds.length
      ? await db.query(`delete from public.schedule_slots s where s.id = any($1::uuid[]) and not ${booked}`, [goneIds])
      : { rowCount: 0 };
    if (slots.length === 0) return { upserted: 0, deleted: del.rowCount ?? 0, retired: retired.rowCount ?? 0 };
    const up = await db.query(
      `insert into public.schedule_slots as s (clinic_id, date, start_time, end_time, start_at, end_at, capacity)
       select $1, * from unnest($2::date[], $3::time[], $4::time[], $5::timestamptz[], $6::timestamptz[], $7::int[])
       on conflict (clinic_id, date, start_time) do update set
         end_time = excluded.end_time, start_at = excluded.start_at, end_at = excluded.end_at, capacity = excluded.capacity
       where (s.end_time, s.start_at, s.end_at, s.capacity) is distinct from
             (excluded.end_time, excluded.start_at, excluded.end_at, excluded.capacity)`,
      [clinicId, ...cols],
    );
    return { upserted: up.rowCount ?? 0, deleted: del.rowCount ?? 0, retired: retired.rowCount ?? 0 };
  }

  /**
   * Inserts or updates live appointments (deleted_at cleared), linked to their slot by
   * (date, slot start time). One statement; unchanged rows are skipped.
   */
  async upsertAppointments(clinicId: string, rows: ScheduleAppointmentRow[], db: Queryable = this.pool): Promise<{ created: number; updated: number }> {
    if (rows.length === 0) return { created: 0, updated: 0 };
    const payload = JSON.stringify(
      rows.map((r): AppointmentInput => ({
        neo_appointment_id: r.neoAppointmentId,
        date: r.date,
        start_time: r.startTime,
        end_time: r.endTime,
        start_at: r.startAt,
        end_at: r.endAt,
        status: r.status,
        slot_start_time: r.slotStartTime,
        metadata: r.metadata,
      })),
    );
    const { rows: out } = await db.query<{ inserted: boolean }>(
      `with input as (
         select * from jsonb_to_recordset($2::jsonb) as u(neo_appointment_id text, date date, start_time time, end_time time,
           start_at timestamptz, end_at timestamptz, status text, slot_start_time time, metadata jsonb)
       )
       insert into public.schedule_appointments as a
         (clinic_id, neo_appointment_id, slot_id, date, start_time, end_time, start_at, end_at, status, metadata, deleted_at)
       select $1, i.neo_appointment_id, s.id, i.date, i.start_time, i.end_time, i.start_at, i.end_at, i.status, i.metadata, null
       from input i
       left join public.schedule_slots s on s.clinic_id = $1 and s.date = i.date and s.start_time = i.slot_start_time
       on conflict (clinic_id, neo_appointment_id) do update set
         slot_id = excluded.slot_id, date = excluded.date, start_time = excluded.start_time, end_time = excluded.end_time,
         start_at = excluded.start_at, end_at = excluded.end_at, status = excluded.status, metadata = excluded.metadata,
         deleted_at = null
       where (a.slot_id, a.date, a.start_time, a.end_time, a.start_at, a.end_at, a.status, a.metadata, a.deleted_at) is distinct from
             (excluded.slot_id, excluded.date, excluded.start_time, excluded.end_time, excluded.start_at, excluded.end_at, excluded.status, excluded.metadata, null)
       returning (xmax = 0) as inserted`,
      [clinicId, payload],
    );
    const created = out.filter((r) => r.inserted).length;
    return { created, updated: out.length - created };
  }

  /** The PIMS ids of the window's live appointments (deleted_at null), by local date. */
  async findLiveIds(clinicId: string, fromDate: string, toDate: string, db: Queryable = this.pool): Promise<string[]> {
    const { rows } = await db.query<{ id: PgRow<'schedule_appointments'>['neo_appointment_id'] }>(
      `select neo_appointment_id as id from public.schedule_appointments
       where clinic_id = $1 and date between $2 and $3 and deleted_at is null
       order by neo_appointment_id`,
      [clinicId, fromDate, toDate],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Soft-deletes the named live appointments (cancelled, no-show, moved out of the window, or gone
   * from the PIMS), setting the status given (null keeps the stored one). One statement; rows
   * already deleted, or not there, are left alone. Returns the rows deleted.
   */
  async softDelete(clinicId: string, items: { id: string; status: string | null }[], db: Queryable = this.pool): Promise<number> {
    if (items.length === 0) return 0;
    const { rowCount } = await db.query(
      `update public.schedule_appointments a set deleted_at = now(), status = coalesce(u.status, a.status)
       from unnest($2::text[], $3::text[]) as u(id, status)
       where a.clinic_id = $1 and a.neo_appointment_id = u.id and a.deleted_at is null`,
      [clinicId, items.map((i) => i.id), items.map((i) => i.status)],
    );
    return rowCount ?? 0;
  }

  /** update_slot_counts_bulk: booked_count = linked live appointments. Returns slots changed. */
  async recountSlots(clinicId: string, fromDate: string, toDate: string, db: Queryable = this.pool): Promise<number> {
    const { rows } = await db.query<{ n: Database['public']['Functions']['update_slot_counts_bulk']['Returns'] }>(
      `select public.update_slot_counts_bulk($1, $2, $3) as n`,
      [clinicId, fromDate, toDate],
    );
    return rows[0].n;
  }
}
