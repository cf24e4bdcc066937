import type { PgRow, Pool, Queryable } from '@pims/db';
import { isoWeekday } from '@pims/util';

type ToolCallRow = PgRow<'vapi_tool_calls'>;
type ConfigRow = PgRow<'clinic_schedule_config'>;

/** What the voice tools need of a clinic (public.clinics): the one whose voice assistant is calling. */
export type VoiceClinic = Pick<PgRow<'clinics'>, 'id' | 'name' | 'timezone'>;

/** The stored answer of a tool call (public.vapi_tool_calls): a result (JSON text) or an error (a sentence). */
export type StoredToolAnswer =
  | { name: ToolCallRow['name']; result: NonNullable<ToolCallRow['result']>; error?: undefined }
  | { name: ToolCallRow['name']; error: NonNullable<ToolCallRow['error']>; result?: undefined };

/** What openingHours reads of a clinic: its config's hours, or nulls (left join) when it has none. */
type HoursConfigRow = Pick<PgRow<'clinics'>, 'id'> &
  Pick<ConfigRow, 'has_business_hours'> &
  (
    | { s_clinic_id: ConfigRow['clinic_id']; open: string; close: string; days_of_week: ConfigRow['days_of_week'] }
    | { s_clinic_id: null; open: null; close: null; days_of_week: null }
  );

export interface OpeningHours {
  daysOfWeek: number[];
  /** 'HH:MM', clinic-local. */
  open: string;
  close: string;
}

/** Days ahead the opening hours are read from the synced slots of a clinic that gave no business hours. */
const SLOT_HOURS_DAYS = 14;

/**
 * The voice assistant's SQL: the clinic behind an assistant id, its opening hours, and the answered
 * tool calls (public.vapi_tool_calls), where the first answer stored for a (clinic, toolCallId) is
 * the answer, decided by the primary key.
 */
export class VapiToolCallsRepository {
  constructor(private readonly pool: Pool) {}

  /** The clinic whose voice_assistant_id is this assistant's id, or null. */
  async findClinicByAssistantId(assistantId: string, db: Queryable = this.pool): Promise<VoiceClinic | null> {
    const { rows } = await db.query<VoiceClinic>(`select id, name, timezone from public.clinics where voice_assistant_id = $1`, [assistantId]);
    return rows[0] ? { id: rows[0].id, name: rows[0].name, timezone: rows[0].timezone } : null;
  }

  /** The answer stored for a tool call of a clinic, or null. */
  async find(clinicId: string, toolCallId: string, db: Queryable = this.pool): Promise<StoredToolAnswer | null> {
    const { rows } = await db.query<AnswerRow>(`select name, result, error from public.vapi_tool_calls where clinic_id = $1 and tool_call_id = $2`, [
      clinicId,
      toolCallId,
    ]);
    return rows[0] ? toAnswer(rows[0]) : null;
  }

  /**
   * Stores an answer unless one is stored already, and returns the stored one: this answer, or the
   * one a racing delivery of the same tool call stored first. One statement: a concurrent insert of
   * the same key is waited for (the unique index) and its row returned; the no-op update only makes
   * `returning` give the existing row.
   */
  async save(clinicId: string, toolCallId: string, answer: StoredToolAnswer, db: Queryable = this.pool): Promise<{ stored: StoredToolAnswer; first: boolean }> {
    const { rows } = await db.query<AnswerRow & { first: boolean }>(
      `insert into public.vapi_tool_calls (clinic_id, tool_call_id, name, result, error) values ($1, $2, $3, $4, $5)
       on conflict (clinic_id, tool_call_id) do update set tool_call_id = public.vapi_tool_calls.tool_call_id
       returning name, result, error, (xmax = 0) as first`,
      [clinicId, toolCallId, answer.name, answer.result ?? null, answer.error ?? null],
    );
    return { stored: toAnswer(rows[0]), first: rows[0].first === true };
  }

  /** Removes answers older than the given instant (a redelivery comes within minutes). */
  async prune(olderThan: Date, db: Queryable = this.pool): Promise<number> {
    const { rowCount } = await db.query(`delete from public.vapi_tool_calls where created_at < $1`, [olderThan]);
    return rowCount ?? 0;
  }

  /**
   * The clinic's opening hours, days with the same hours together (ISO days, 1 = Monday): its
   * configured business hours; for a clinic that gave none (its slots follow the PIMS's calendar),
   * the first start and last end of its synced slots per weekday over the next two weeks. Null when
   * the clinic does not exist.
   */
  async openingHours(clinicId: string, today: string, db: Queryable = this.pool): Promise<OpeningHours[] | null> {
    const { rows } = await db.query<HoursConfigRow>(
      `select c.id, s.clinic_id as s_clinic_id, to_char(s.open_time, 'HH24:MI') as open, to_char(s.close_time, 'HH24:MI') as close,
              s.days_of_week, coalesce(s.has_business_hours, false) as has_business_hours
       from public.clinics c left join public.clinic_schedule_config s on s.clinic_id = c.id where c.id = $1`,
      [clinicId],
    );
    const cfg = rows[0];
    if (!cfg) return null;
    if (cfg.s_clinic_id && cfg.has_business_hours) {
      const days = [...new Set<number>(cfg.days_of_week ?? [])].sort((a, b) => a - b);
      return days.length ? [{ daysOfWeek: days, open: cfg.open, close: cfg.close }] : [];
    }
    const { rows: slots } = await db.query<{ date: PgRow<'schedule_slots'>['date']; open: string; close: string }>(
      `select date::text as date, to_char(min(start_time), 'HH24:MI') as open, to_char(max(end_time), 'HH24:MI') as close
       from public.schedule_slots
       where clinic_id = $1 and capacity > 0 and date between $2::date and $2::date + $3::int
       group by date`,
      [clinicId, today, SLOT_HOURS_DAYS - 1],
    );
    // Per weekday: the widest day seen (a short day in the window does not narrow the others).
    const byDay = new Map<number, { open: string; close: string }>();
    for (const s of slots) {
      const day = isoWeekday(s.date);
      const close = s.close === '00:00' ? '24:00' : s.close;
      const seen = byDay.get(day);
      byDay.set(day, seen ? { open: seen.open < s.open ? seen.open : s.open, close: seen.close > close ? seen.close : close } : { open: s.open, close });
    }
    return groupHours(byDay);
  }
}

/** Weekdays with the same hours as one entry, in weekday order. */
function groupHours(byDay: Map<number, { open: string; close: string }>): OpeningHours[] {
  const out: OpeningHours[] = [];
  for (const day of [...byDay.keys()].sort((a, b) => a - b)) {
    const h = byDay.get(day)!;
    const same = out.find((o) => o.open === h.open && o.close === h.close);
    if (same) same.daysOfWeek.push(day);
    else out.push({ daysOfWeek: [day], open: h.open, close: h.close });
  }
  return out;
}

type AnswerRow = Pick<ToolCallRow, 'name' | 'result' | 'error'>;

function toAnswer(r: AnswerRow): StoredToolAnswer {
  // vapi_tool_calls_one_answer: exactly one of result and error is set.
  return r.result !== null ? { name: r.name, result: r.result } : { name: r.name, error: r.error! };
}
