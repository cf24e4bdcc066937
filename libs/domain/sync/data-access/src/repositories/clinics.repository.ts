import { withTransaction, type Pool } from '@pims/db';
import { decryptSecret, encryptSecret } from '@pims/util';
import type { PimsCredentials, PimsProviderName } from '@pims/pims';
import { DEFAULT_CATCH_UP_HOURS } from '../services/nightly-schedule';

export interface ClinicScheduleConfig {
  openTime: string; // 'HH:MM:SS'
  closeTime: string;
  daysOfWeek: number[]; // ISO 1..7
  slotDurationMinutes: number;
  defaultCapacity: number;
  timezone: string;
  backwardSyncDays: number;
  forwardSyncDays: number;
  syncCron: string;
  /** False when the clinic gave no schedule: slots then follow the PIMS's calendar set-up. */
  hasBusinessHours: boolean;
}

/** A clinic as shown to people: never its credentials. */
export interface ClinicRecord {
  id: string;
  name: string;
  timezone: string;
  /** Which registered PIMS provider syncs this clinic (clinics.pims_provider). */
  pimsProvider: PimsProviderName;
  pimsBaseUrl: string;
  pimsCompanyId: string | null;
  createdAt: Date;
  schedule: ClinicScheduleConfig | null;
  lastSync?: { id: string; syncType: string; status: string; startedAt: Date | null; completedAt: Date | null };
}

export interface NewClinic {
  name: string;
  timezone: string;
  pims: { provider: PimsProviderName; baseUrl: string; companyId?: string | null; username: string; password: string };
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
}

const DEFAULT_CRON = '0 2 * * *';

/** Owns all SQL on clinics and clinic_schedule_config. Credentials are AES-256-GCM encrypted at rest. */
export class ClinicsRepository {
  constructor(
    private readonly pool: Pool,
    private readonly credentialsKey: Buffer,
  ) {}

  async create(input: NewClinic): Promise<{ id: string }> {
    const secret = encryptSecret(JSON.stringify({ username: input.pims.username, password: input.pims.password }), this.credentialsKey);
    // withTransaction marks the context: nothing in it may ask the pool for a second connection.
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ id: string }>(
        `insert into public.clinics (name, timezone, pims_provider, pims_base_url, pims_company_id, pims_credentials_encrypted)
         values ($1, $2, $3, $4, $5, $6) returning id`,
        [input.name, input.timezone, input.pims.provider, input.pims.baseUrl.replace(/\/+$/, ''), input.pims.companyId ?? null, secret],
      );
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
    const { rows } = await this.pool.query(
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
    const { rows } = await this.pool.query(
      `${SELECT_CLINIC} from public.clinics c left join public.clinic_schedule_config s on s.clinic_id = c.id where c.id = $1`,
      [id],
    );
    return rows[0] ? toClinic(rows[0]) : null;
  }

  /** The decrypted PIMS credentials: for the provider factory only, never for display. */
  async getCredentials(id: string): Promise<PimsCredentials | null> {
    const { rows } = await this.pool.query(
      `select pims_base_url, pims_company_id, pims_credentials_encrypted from public.clinics where id = $1`,
      [id],
    );
    if (!rows[0]) return null;
    const { username, password } = JSON.parse(decryptSecret(rows[0].pims_credentials_encrypted, this.credentialsKey));
    return { baseUrl: rows[0].pims_base_url, companyId: rows[0].pims_company_id, username, password };
  }
}

const SELECT_CLINIC = `select c.id, c.name, c.timezone, c.pims_provider, c.pims_base_url, c.pims_company_id, c.created_at,
  s.clinic_id as s_clinic_id, s.open_time, s.close_time, s.days_of_week, s.slot_duration_minutes, s.default_capacity,
  s.timezone as s_timezone, s.backward_sync_days, s.forward_sync_days, s.sync_cron, s.has_business_hours`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function toClinic(r: any): ClinicRecord {
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
          syncCron: r.sync_cron,
          hasBusinessHours: r.has_business_hours,
        }
      : null,
  };
}
