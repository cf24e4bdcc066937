import { withTransaction, type Camelized, type Narrow, type PgRow, type Pool, type Queryable } from '@pims/db';
import { AppError, decryptSecret, encryptSecret } from '@pims/util';
import type { PimsCredentials, PimsProviderName } from '@pims/pims';
import type { ClinicSettings, SyncStatus, SyncType, UpdateClinicInput } from '@pims/sync-contracts';
import { DEFAULT_CATCH_UP_HOURS } from '../services/nightly-schedule';

type ClinicRow = PgRow<'clinics'>;
type ConfigRow = PgRow<'clinic_schedule_config'>;
type AuditRow = PgRow<'case_sync_audits'>;

/** The clinic_schedule_config columns a sync reads (besides clinic_id). */
type ScheduleColumn =
  | 'open_time'
  | 'close_time'
  | 'days_of_week'
  | 'slot_duration_minutes'
  | 'default_capacity'
  | 'timezone'
  | 'backward_sync_days'
  | 'forward_sync_days'
  | 'reconciliation_days'
  | 'sync_cron'
  | 'has_business_hours';

/**
 * A clinic's clinic_schedule_config row (from the generated types): openTime and closeTime
 * 'HH:MM:SS', daysOfWeek ISO 1..7, reconciliationDays the look-back of a sync that names none,
 * hasBusinessHours false when the clinic gave no schedule (slots then follow the PIMS's calendar set-up).
 */
export type ClinicScheduleConfig = Camelized<Pick<ConfigRow, ScheduleColumn>>;

/** A clinic as shown to people: never its credentials. pimsProvider: the registered provider that syncs it. */
export type ClinicRecord = Narrow<
  Camelized<Pick<ClinicRow, 'id' | 'name' | 'timezone' | 'pims_provider' | 'pims_base_url' | 'pims_company_id' | 'created_at'>>,
  { pimsProvider: PimsProviderName }
> & {
  schedule: ClinicScheduleConfig | null;
  lastSync?: Camelized<Pick<AuditRow, 'id' | 'sync_type' | 'status' | 'started_at' | 'completed_at'>>;
};

export interface NewClinic {
  name: string;
  timezone: string;
  pims:
    | { provider: 'idexx_neo'; baseUrl: string; companyId?: string | null; username: string; password: string }
    | { provider: 'ezyvet'; baseUrl: string; partnerId: string; clientId: string; clientSecret: string };
  schedule?: {
    openTime: string;
    closeTime: string;
    daysOfWeek: number[];
    slotDurationMinutes: number;
    capacity: number;
    syncCron?: string;
    /** Hours after its time a missed nightly run still runs (DEFAULT_CATCH_UP_HOURS when left out). */
    catchUpHours?: number;
  };
  /** The clinic's Vapi assistant (unique: voice_assistant_in_use when another clinic has it). */
  voiceAssistantId?: string;
}

/** The settings a PATCH may change, as the route validated them. */
export type ClinicSettingsPatch = UpdateClinicInput;

const DEFAULT_CRON = '0 2 * * *';

/**
 * What each provider logs in with, kept encrypted in pims_credentials_encrypted: the fields that say
 * who logs in (shown, except for display of ezyVet's partner id) and the one secret (never shown).
 */
const LOGIN_FIELDS = {
  idexx_neo: { identity: ['username'], shown: 'username', secret: 'password' },
  ezyvet: { identity: ['partnerId', 'clientId'], shown: 'clientId', secret: 'clientSecret' },
} as const satisfies Record<PimsProviderName, { identity: readonly string[]; shown: string; secret: string }>;
type StoredLogin = Record<string, string>;

function loginOf(provider: PimsProviderName, pims: Record<string, unknown>): StoredLogin {
  const f = LOGIN_FIELDS[provider];
  const out: StoredLogin = {};
  for (const k of [...f.identity, f.secret]) out[k] = String(pims[k] ?? '');
  return out;
}
const VOICE_ASSISTANT_KEY = 'clinics_voice_assistant_id_key';

const voiceAssistantInUse = () =>
  new AppError('voice_assistant_in_use', 'Another clinic already uses this voiceAssistantId', { status: 409 });
const clinicNotFound = () => new AppError('clinic_not_found', 'No clinic with this id', { status: 404 });
/** A setting that is valid alone but not with the clinic's others: a 400 with its issue, like the schema's. */
const invalidSetting = (path: string[], message: string) =>
  new AppError('validation_error', `Invalid request body: ${path.join('.')}: ${message}`, {
    status: 400,
    details: { issues: [{ code: 'custom', path, message }] },
  });
const isUniqueViolation = (err: unknown, constraint: string) => {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && e.constraint === constraint;
};

/** Owns all SQL on clinics and clinic_schedule_config. Credentials are AES-256-GCM encrypted at rest. */
export class ClinicsRepository {
  constructor(
    private readonly pool: Pool,
    private readonly credentialsKey: Buffer,
  ) {}

  async create(input: NewClinic): Promise<{ id: string }> {
    const secret = encryptSecret(JSON.stringify(loginOf(input.pims.provider, input.pims)), this.credentialsKey);
    // withTransaction marks the context: nothing in it may ask the pool for a second connection.
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client
        .query<{ id: string }>(
          `insert into public.clinics (name, timezone, pims_provider, pims_base_url, pims_company_id, pims_credentials_encrypted, voice_assistant_id)
           values ($1, $2, $3, $4, $5, $6, $7) returning id`,
          [
            input.name,
            input.timezone,
            input.pims.provider,
            input.pims.baseUrl.replace(/\/+$/, ''),
            input.pims.provider === 'idexx_neo' ? (input.pims.companyId ?? null) : null,
            secret,
            input.voiceAssistantId ?? null,
          ],
        )
        .catch((err) => {
          throw isUniqueViolation(err, VOICE_ASSISTANT_KEY) ? voiceAssistantInUse() : err;
        });
      const id = rows[0].id;
      const s = input.schedule;
      await client.query(
        `insert into public.clinic_schedule_config
           (clinic_id, open_time, close_time, days_of_week, slot_duration_minutes, default_capacity, timezone, sync_cron, has_business_hours, catch_up_hours)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          id,
          s?.openTime ?? '08:00',
          s?.closeTime ?? '18:00',
          s?.daysOfWeek ?? [1, 2, 3, 4, 5],
          s?.slotDurationMinutes ?? 30,
          s?.capacity ?? 2,
          input.timezone,
          s?.syncCron ?? DEFAULT_CRON,
          s !== undefined,
          s?.catchUpHours ?? DEFAULT_CATCH_UP_HOURS,
        ],
      );
      return { id };
    });
  }

  /** Every clinic with its last sync, for display: no credentials. */
  async list(): Promise<ClinicRecord[]> {
    const { rows } = await this.pool.query<SelectedClinicRow & LastSyncRow>(
      `${SELECT_CLINIC},
         last.id as last_id, last.sync_type as last_type, last.status as last_status,
         last.started_at as last_started_at, last.completed_at as last_completed_at
       from public.clinics c
       left join public.clinic_schedule_config s on s.clinic_id = c.id
       left join lateral (
         select a.id, a.sync_type, a.status, a.started_at, a.completed_at from public.case_sync_audits a
         where a.clinic_id = c.id order by a.created_at desc, a.id desc limit 1
       ) last on true
       order by c.name, c.id`,
    );
    return rows.map((r) => ({
      ...toClinic(r),
      lastSync: r.last_id
        ? { id: r.last_id, syncType: r.last_type, status: r.last_status, startedAt: r.last_started_at, completedAt: r.last_completed_at }
        : undefined,
    }));
  }

  async findById(id: string): Promise<ClinicRecord | null> {
    const { rows } = await this.pool.query<SelectedClinicRow>(
      `${SELECT_CLINIC} from public.clinics c left join public.clinic_schedule_config s on s.clinic_id = c.id where c.id = $1`,
      [id],
    );
    return rows[0] ? toClinic(rows[0]) : null;
  }

  /** The decrypted PIMS credentials: for the provider factory only, never for display. */
  async getCredentials(id: string): Promise<PimsCredentials | null> {
    const { rows } = await this.pool.query<Pick<ClinicRow, 'pims_provider' | 'pims_base_url' | 'pims_company_id' | 'pims_credentials_encrypted'>>(
      `select pims_provider, pims_base_url, pims_company_id, pims_credentials_encrypted from public.clinics where id = $1`,
      [id],
    );
    const r = rows[0];
    if (!r) return null;
    const login = JSON.parse(decryptSecret(r.pims_credentials_encrypted, this.credentialsKey)) as StoredLogin;
    if (r.pims_provider === 'ezyvet') {
      return { provider: 'ezyvet', baseUrl: r.pims_base_url, partnerId: login.partnerId, clientId: login.clientId, clientSecret: login.clientSecret };
    }
    return { provider: 'idexx_neo', baseUrl: r.pims_base_url, companyId: r.pims_company_id, username: login.username, password: login.password };
  }

  /** The clinic's settings for display (the PIMS username, never the password), or null. */
  async getSettings(id: string, db: Queryable = this.pool): Promise<ClinicSettings | null> {
    const { rows } = await db.query<SettingsRow>(
      `select c.id, c.name, c.timezone, c.pims_provider, c.pims_base_url, c.pims_company_id, c.pims_credentials_encrypted,
         c.voice_assistant_id, c.created_at, greatest(c.updated_at, s.updated_at) as updated_at,
         s.open_time, s.close_time, s.days_of_week, s.slot_duration_minutes, s.default_capacity, s.has_business_hours,
         s.write_appointment_type_id, s.write_room_id, s.write_provider_id,
         s.sync_cron, s.catch_up_hours, s.backward_sync_days, s.forward_sync_days, s.reconciliation_days, s.sync_enabled, s.next_sync_at,
         last.id as last_id, last.sync_type as last_type, last.status as last_status,
         last.started_at as last_started_at, last.completed_at as last_completed_at
       from public.clinics c
       join public.clinic_schedule_config s on s.clinic_id = c.id
       left join lateral (
         select a.id, a.sync_type, a.status, a.started_at, a.completed_at from public.case_sync_audits a
         where a.clinic_id = c.id order by a.created_at desc, a.id desc limit 1
       ) last on true
       where c.id = $1`,
      [id],
    );
    const r = rows[0];
    if (!r) return null;
    const shown = LOGIN_FIELDS[r.pims_provider as PimsProviderName]?.shown ?? 'username';
    const login = this.shownLoginOf(r.pims_credentials_encrypted, shown);
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    return {
      id: r.id,
      name: r.name,
      timezone: r.timezone,
      pimsProvider: r.pims_provider,
      pims: {
        baseUrl: r.pims_base_url,
        ...(r.pims_company_id !== null ? { companyId: r.pims_company_id } : {}),
        ...(login !== undefined ? { [shown]: login } : {}),
      },
      schedule: {
        openTime: hhmm(r.open_time),
        closeTime: hhmm(r.close_time),
        daysOfWeek: r.days_of_week,
        slotDurationMinutes: r.slot_duration_minutes,
        capacity: r.default_capacity,
        hasBusinessHours: r.has_business_hours,
      },
      syncCron: r.sync_cron,
      catchUpHours: r.catch_up_hours,
      backwardDays: r.backward_sync_days,
      forwardDays: r.forward_sync_days,
      reconciliationDays: r.reconciliation_days,
      syncEnabled: r.sync_enabled,
      voiceAssistantId: r.voice_assistant_id,
      writeDefaults: { appointmentTypeId: r.write_appointment_type_id, roomId: r.write_room_id, providerId: r.write_provider_id },
      // 'infinity': planned never (a cron that never matches); shown as not planned.
      nextSyncAt: r.next_sync_at instanceof Date && Number.isFinite(r.next_sync_at.getTime()) ? r.next_sync_at.toISOString() : null,
      lastSync: r.last_id
        ? { id: r.last_id, syncType: r.last_type, status: r.last_status, startedAt: iso(r.last_started_at), completedAt: iso(r.last_completed_at) }
        : null,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    };
  }

  /**
   * Changes any of a clinic's settings in one transaction, on the clinic's row lock (two PATCHes of
   * one clinic apply one after the other, each on the other's result): the time zone on the clinic
   * and its schedule config together; new PIMS details merged with the stored ones and encrypted
   * again. A changed cron, time zone or syncEnabled clears next_sync_at (trigger
   * replan_nightly_sync), so the dispatcher plans the next nightly run from the new settings.
   * Answers the settings after the change; clinic_not_found, voice_assistant_in_use (409),
   * validation_error (400) when a value does not fit the clinic's others.
   */
  async updateSettings(id: string, patch: ClinicSettingsPatch): Promise<ClinicSettings> {
    return withTransaction(this.pool, async (tx) => {
      const { rows } = await tx.query<StoredPimsRow & Pick<ConfigRow, 'open_time' | 'close_time'>>(
        `select c.pims_provider, c.pims_base_url, c.pims_company_id, c.pims_credentials_encrypted, s.open_time, s.close_time
         from public.clinics c join public.clinic_schedule_config s on s.clinic_id = c.id
         where c.id = $1 for update of c, s`,
        [id],
      );
      const cur = rows[0];
      if (!cur) throw clinicNotFound();

      // One statement per table, each with its own parameters ($1 the clinic's id).
      const clinicSets = { sets: [] as string[], params: [id] as unknown[] };
      const configSets = { sets: [] as string[], params: [id] as unknown[] };
      const set = (to: typeof clinicSets, column: string, value: unknown) => {
        to.params.push(value);
        to.sets.push(`${column} = $${to.params.length}`);
      };
      if (patch.name !== undefined) set(clinicSets, 'name', patch.name);
      if (patch.timezone !== undefined) {
        set(clinicSets, 'timezone', patch.timezone);
        set(configSets, 'timezone', patch.timezone);
      }
      if (patch.voiceAssistantId !== undefined) set(clinicSets, 'voice_assistant_id', patch.voiceAssistantId);
      if (patch.pims !== undefined) this.pimsChanges(cur, patch.pims, (column, value) => set(clinicSets, column, value));

      const s = patch.schedule;
      if (s !== undefined) {
        const open = s.openTime ?? hhmm(cur.open_time);
        const close = s.closeTime ?? hhmm(cur.close_time);
        if (!(close > open)) throw invalidSetting(['schedule', 'closeTime'], `closeTime must be after openTime (${open})`);
        if (s.openTime !== undefined) set(configSets, 'open_time', s.openTime);
        if (s.closeTime !== undefined) set(configSets, 'close_time', s.closeTime);
        if (s.daysOfWeek !== undefined) set(configSets, 'days_of_week', s.daysOfWeek);
        if (s.slotDurationMinutes !== undefined) set(configSets, 'slot_duration_minutes', s.slotDurationMinutes);
        if (s.capacity !== undefined) set(configSets, 'default_capacity', s.capacity);
        // Hours given: the grid follows them from the next forward sync, not the PIMS's set-up.
        configSets.sets.push('has_business_hours = true');
      }
      if (patch.syncCron !== undefined) set(configSets, 'sync_cron', patch.syncCron);
      if (patch.catchUpHours !== undefined) set(configSets, 'catch_up_hours', patch.catchUpHours);
      if (patch.backwardDays !== undefined) set(configSets, 'backward_sync_days', patch.backwardDays);
      if (patch.forwardDays !== undefined) set(configSets, 'forward_sync_days', patch.forwardDays);
      if (patch.reconciliationDays !== undefined) set(configSets, 'reconciliation_days', patch.reconciliationDays);
      if (patch.syncEnabled !== undefined) set(configSets, 'sync_enabled', patch.syncEnabled);
      const w = patch.writeDefaults;
      if (w?.appointmentTypeId !== undefined) set(configSets, 'write_appointment_type_id', w.appointmentTypeId);
      if (w?.roomId !== undefined) set(configSets, 'write_room_id', w.roomId);
      if (w?.providerId !== undefined) set(configSets, 'write_provider_id', w.providerId);

      try {
        for (const [table, key, u] of [['clinics', 'id', clinicSets], ['clinic_schedule_config', 'clinic_id', configSets]] as const) {
          if (u.sets.length) await tx.query(`update public.${table} set ${u.sets.join(', ')} where ${key} = $1`, u.params);
        }
      } catch (err) {
        throw isUniqueViolation(err, VOICE_ASSISTANT_KEY) ? voiceAssistantInUse() : err;
      }
      return (await this.getSettings(id, tx))!;
    });
  }

  /**
   * The columns new PIMS details change. The stored password stays only while the base URL and the
   * username stay: a stored password is never sent to another address or as another user.
   */
  private pimsChanges(
    cur: StoredPimsRow,
    p: NonNullable<ClinicSettingsPatch['pims']>,
    set: (column: string, value: unknown) => void,
  ): void {
    if (p.provider !== undefined && p.provider !== cur.pims_provider) {
      throw invalidSetting(['pims', 'provider'], `a clinic's PIMS provider cannot be changed (it is ${cur.pims_provider})`);
    }
    const fields = LOGIN_FIELDS[cur.pims_provider as PimsProviderName];
    const given = p as Record<string, string | null | undefined>;
    const own = new Set<string>(['provider', 'baseUrl', ...(cur.pims_provider === 'idexx_neo' ? ['companyId'] : []), ...fields.identity, fields.secret]);
    for (const [k, v] of Object.entries(given)) {
      if (v !== undefined && !own.has(k)) throw invalidSetting(['pims', k], `${k} is not a log-in detail of ${cur.pims_provider}`);
    }
    const baseUrl = p.baseUrl !== undefined ? p.baseUrl.replace(/\/+$/, '') : cur.pims_base_url;
    if (baseUrl !== cur.pims_base_url) set('pims_base_url', baseUrl);
    if (p.companyId !== undefined) set('pims_company_id', p.companyId);
    const changesLogin = [...fields.identity, fields.secret].some((k) => given[k] !== undefined);
    if (!changesLogin) {
      if (baseUrl !== cur.pims_base_url) throw invalidSetting(['pims', fields.secret], `the ${fields.secret} is required when the baseUrl changes`);
      return;
    }
    const stored = JSON.parse(decryptSecret(cur.pims_credentials_encrypted, this.credentialsKey)) as StoredLogin;
    const next: StoredLogin = {};
    for (const k of fields.identity) next[k] = given[k] ?? stored[k];
    const identityChanged = fields.identity.some((k) => next[k] !== stored[k]);
    if (given[fields.secret] === undefined && (identityChanged || baseUrl !== cur.pims_base_url)) {
      throw invalidSetting(['pims', fields.secret], `the ${fields.secret} is required when the baseUrl or the ${fields.identity.join(' or ')} changes`);
    }
    next[fields.secret] = given[fields.secret] ?? stored[fields.secret];
    set('pims_credentials_encrypted', encryptSecret(JSON.stringify(next), this.credentialsKey));
  }

  /** Who logs in (the Neo username, the ezyVet client id), for display; left out when the stored credentials cannot be read (another key). */
  private shownLoginOf(encrypted: string, field: string): string | undefined {
    try {
      const value = (JSON.parse(decryptSecret(encrypted, this.credentialsKey)) as Record<string, unknown>)[field];
      return typeof value === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }
}

const hhmm = (t: string): string => String(t).slice(0, 5);

const SELECT_CLINIC = `select c.id, c.name, c.timezone, c.pims_provider, c.pims_base_url, c.pims_company_id, c.created_at,
  s.clinic_id as s_clinic_id, s.open_time, s.close_time, s.days_of_week, s.slot_duration_minutes, s.default_capacity,
  s.timezone as s_timezone, s.backward_sync_days, s.forward_sync_days, s.reconciliation_days, s.sync_cron, s.has_business_hours`;

/** The PIMS columns of a clinic that a settings change starts from. */
type StoredPimsRow = Pick<ClinicRow, 'pims_provider' | 'pims_base_url' | 'pims_company_id' | 'pims_credentials_encrypted'>;

/** A row of SELECT_CLINIC: the clinic, and its schedule config or (left join, none) all nulls. */
type SelectedClinicRow = Narrow<
  Pick<ClinicRow, 'id' | 'name' | 'timezone' | 'pims_provider' | 'pims_base_url' | 'pims_company_id' | 'created_at'>,
  { pims_provider: PimsProviderName }
> &
  (
    | (Pick<ConfigRow, Exclude<ScheduleColumn, 'timezone'>> & { s_clinic_id: ConfigRow['clinic_id']; s_timezone: ConfigRow['timezone'] })
    | ({ [K in Exclude<ScheduleColumn, 'timezone'>]: null } & { s_clinic_id: null; s_timezone: null })
  );

/** The clinic's latest sync (case_sync_audits), joined as last_*: all null before its first sync. */
type LastSyncRow<Type extends AuditRow['sync_type'] = AuditRow['sync_type'], Status extends AuditRow['status'] = AuditRow['status']> =
  | {
      last_id: AuditRow['id'];
      last_type: Type;
      last_status: Status;
      last_started_at: AuditRow['started_at'];
      last_completed_at: AuditRow['completed_at'];
    }
  | { last_id: null; last_type: null; last_status: null; last_started_at: null; last_completed_at: null };

/** A row of getSettings' select (updated_at: the later of the clinic's and its config's). */
type SettingsRow = Narrow<
  Pick<ClinicRow, 'id' | 'name' | 'timezone' | 'pims_provider' | 'pims_base_url' | 'pims_company_id' | 'pims_credentials_encrypted'>,
  { pims_provider: PimsProviderName }
> &
  Pick<ClinicRow, 'voice_assistant_id' | 'created_at' | 'updated_at'> &
  Pick<
    ConfigRow,
    | 'open_time'
    | 'close_time'
    | 'days_of_week'
    | 'slot_duration_minutes'
    | 'default_capacity'
    | 'has_business_hours'
    | 'write_appointment_type_id'
    | 'write_room_id'
    | 'write_provider_id'
    | 'sync_cron'
    | 'catch_up_hours'
    | 'backward_sync_days'
    | 'forward_sync_days'
    | 'reconciliation_days'
    | 'sync_enabled'
    | 'next_sync_at'
  > &
  LastSyncRow<SyncType, SyncStatus>;

function toClinic(r: SelectedClinicRow): ClinicRecord {
  return {
    id: r.id,
    name: r.name,
    timezone: r.timezone,
    pimsProvider: r.pims_provider,
    pimsBaseUrl: r.pims_base_url,
    pimsCompanyId: r.pims_company_id,
    createdAt: r.created_at,
    schedule: r.s_clinic_id
      ? {
          openTime: r.open_time,
          closeTime: r.close_time,
          daysOfWeek: r.days_of_week,
          slotDurationMinutes: r.slot_duration_minutes,
          defaultCapacity: r.default_capacity,
          timezone: r.s_timezone,
          backwardSyncDays: r.backward_sync_days,
          forwardSyncDays: r.forward_sync_days,
          reconciliationDays: r.reconciliation_days,
          syncCron: r.sync_cron,
          hasBusinessHours: r.has_business_hours,
        }
      : null,
  };
}
