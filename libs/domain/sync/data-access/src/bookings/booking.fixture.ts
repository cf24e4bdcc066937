// Test helpers for the booking files (not part of the package surface): a real PostgreSQL clone, a
// second pool on it (a second process), clinics whose slots are made the way the forward sync makes
// them (buildSlotGrid + replaceSlots).
import { createPool, type Pool } from '@pims/db';
import { createTestDatabase, type TestDatabase } from '@pims/db/testing';
import { generateEncryptionKey, parseEncryptionKey } from '@pims/util';
import { ClinicsRepository } from '../repositories/clinics.repository';
import { ScheduleRepository } from '../repositories/schedule.repository';
import { buildSlotGrid } from '../services/schedule-grid';
import { BookingService, type BookingServiceOptions } from './booking.service';

export interface FixtureClinic {
  timezone: string;
  from: string;
  to: string;
  openTime?: string;
  closeTime?: string;
  slotMinutes?: number;
  capacity?: number;
  daysOfWeek?: number[];
  forwardDays?: number;
}

export interface BookingFixture {
  db: TestDatabase;
  /** A second pool on the same database: another process. */
  other: Pool;
  schedule: ScheduleRepository;
  clinics: ClinicsRepository;
  service(opts?: Omit<BookingServiceOptions, 'pool'>, pool?: Pool): BookingService;
  addClinic(c: FixtureClinic): Promise<string>;
  slotId(clinicId: string, date: string, time: string): Promise<string>;
  /** A slot's seats straight from public.slot_availability. */
  seats(slotId: string, now?: Date): Promise<{ capacity: number; taken: number; available: number }>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function createBookingFixture(): Promise<BookingFixture> {
  const db = await createTestDatabase();
  const other = createPool(db.connectionString, { max: 10, applicationName: 'pims-test-other' });
  const schedule = new ScheduleRepository(db.pool);
  const clinics = new ClinicsRepository(db.pool, parseEncryptionKey(generateEncryptionKey()));
  let n = 0;
  const query = async <T>(sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows as T[];
  return {
    db,
    other,
    schedule,
    clinics,
    query,
    service: (opts = {}, pool = db.pool) => new BookingService({ pool, ...opts }),
    async addClinic(c) {
      const schedule_ = {
        openTime: c.openTime ?? '09:00',
        closeTime: c.closeTime ?? '17:00',
        daysOfWeek: c.daysOfWeek ?? [1, 2, 3, 4, 5, 6, 7],
        slotDurationMinutes: c.slotMinutes ?? 30,
        capacity: c.capacity ?? 2,
      };
      const { id } = await clinics.create({
        name: `Clinic ${++n}`,
        timezone: c.timezone,
        pims: { provider: 'idexx_neo', baseUrl: 'https://pims.example', username: `u${n}`, password: 'Pass-2026!' },
        schedule: schedule_,
      });
      if (c.forwardDays !== undefined) await query(`update public.clinic_schedule_config set forward_sync_days = $2 where clinic_id = $1`, [id, c.forwardDays]);
      const grid = buildSlotGrid(
        {
          timezone: c.timezone,
          hours: [{ daysOfWeek: schedule_.daysOfWeek, startTime: schedule_.openTime, endTime: schedule_.closeTime }],
          slotMinutes: schedule_.slotDurationMinutes,
          capacity: schedule_.capacity,
        },
        c.from,
        c.to,
      );
      await schedule.replaceSlots(id, c.from, c.to, grid);
      return id;
    },
    async slotId(clinicId, date, time) {
      const rows = await query<{ id: string }>(`select id from public.schedule_slots where clinic_id = $1 and date = $2 and start_time = $3`, [clinicId, date, time]);
      if (!rows[0]) throw new Error(`no slot ${date} ${time}`);
      return rows[0].id;
    },
    async seats(slotId, now) {
      const rows = await query<{ capacity: number; taken: number; available: number }>(
        `select v.capacity, v.taken, v.available from public.schedule_slots s
         cross join lateral public.slot_availability(s.clinic_id, s.date, s.date, coalesce($2::timestamptz, clock_timestamp())) v
         where s.id = $1 and v.slot_id = s.id`,
        [slotId, now ?? null],
      );
      return rows[0];
    },
    async close() {
      await other.end();
      await db.drop();
    },
  };
}
