// The bookings migration on a plain PostgreSQL and under Supabase's default privileges: RLS and
// grants as the other tables (admins read, service_role writes, anon nothing), slot_availability for
// service_role only, and the table's own rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createTestDatabase, type TestDatabase } from '@pims/db/testing';

/** What a Supabase project grants on every new object before any migration runs (as in @pims/db's schema test). */
const SUPABASE_DEFAULT_PRIVILEGES = `
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then create role anon nologin noinherit; end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then create role authenticated nologin noinherit; end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then create role service_role nologin noinherit bypassrls; end if;
end
$$;
grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
`;
const ADMIN = '{"sub":"u-admin","app_metadata":{"role":"admin"}}';
const USER = '{"sub":"u-user","app_metadata":{"role":"user"}}';

describe.each([
  { setup: 'plain PostgreSQL', beforeMigrations: undefined },
  { setup: "Supabase's default privileges", beforeMigrations: SUPABASE_DEFAULT_PRIVILEGES },
])('bookings schema on $setup', ({ beforeMigrations }) => {
  let db: TestDatabase;
  let clinicId: string;
  let slotId: string;
  beforeAll(async () => {
    db = await createTestDatabase({ beforeMigrations });
    clinicId = (
      await db.pool.query(
        `insert into public.clinics (name, timezone, pims_base_url, pims_credentials_encrypted) values ('C', 'America/New_York', 'http://x', 'v1:a') returning id`,
      )
    ).rows[0].id;
    slotId = (
      await db.pool.query(
        `insert into public.schedule_slots (clinic_id, date, start_time, end_time, start_at, end_at, capacity)
         values ($1, '2026-12-01', '09:00', '09:30', '2026-12-01T14:00Z', '2026-12-01T14:30Z', 2) returning id`,
        [clinicId],
      )
    ).rows[0].id;
  });
  afterAll(async () => {
    await db?.drop();
  });

  const insertBooking = (fields: Record<string, unknown>) => {
    const row = {
      clinic_id: clinicId,
      slot_id: slotId,
      status: 'confirmed',
      starts_at: '2026-12-01T14:00Z',
      date: '2026-12-01',
      start_time: '09:00',
      end_time: '09:30',
      confirmation_number: 'ABC234',
      client: { firstName: 'A', lastName: 'B', phone: '+15551234567' },
      patient: { name: 'P' },
      reason: 'r',
      write_back_status: 'pending',
      confirmed_at: '2026-11-30T10:00Z',
      ...fields,
    };
    const cols = Object.keys(row);
    return db.pool.query(`insert into public.bookings (${cols.join(', ')}) values (${cols.map((_, i) => `$${i + 1}`).join(', ')}) returning id`, Object.values(row));
  };

  async function as<T>(role: 'anon' | 'authenticated' | 'service_role', claims: string | null, fn: (c: pg.PoolClient) => Promise<T>) {
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query(`set local role ${role}`);
      if (claims) await client.query(`select set_config('request.jwt.claims', $1, true)`, [claims]);
      return await fn(client);
    } finally {
      await client.query('rollback');
      client.release();
    }
  }

  it('lets admins read bookings through RLS, others nothing; only service_role writes', async () => {
    await insertBooking({ confirmation_number: 'RWS234' });
    await as('authenticated', ADMIN, async (c) => expect((await c.query('select id, client from public.bookings')).rowCount).toBeGreaterThan(0));
    await as('authenticated', USER, async (c) => expect((await c.query('select id from public.bookings')).rowCount).toBe(0));
    await as('authenticated', ADMIN, async (c) => {
      await expect(c.query(`update public.bookings set reason = 'x'`)).rejects.toMatchObject({ code: '42501' });
    });
    await as('anon', null, async (c) => {
      await expect(c.query('select id from public.bookings')).rejects.toMatchObject({ code: '42501' });
    });
    await as('service_role', null, async (c) => {
      expect((await c.query(`update public.bookings set reason = 'by service_role' where confirmation_number = 'RWS234'`)).rowCount).toBe(1);
    });
    await as('authenticated', ADMIN, async (c) => {
      expect((await c.query('select voice_assistant_id from public.clinics')).rowCount).toBe(1);
    });
  });

  it('lets only service_role execute slot_availability', async () => {
    const call = `select * from public.slot_availability($1, '2026-12-01', '2026-12-01', now())`;
    for (const [role, claims] of [['anon', null], ['authenticated', ADMIN]] as const) {
      await as(role, claims, async (c) => {
        await expect(c.query(call, [clinicId])).rejects.toMatchObject({ code: '42501' });
      });
    }
    await as('service_role', null, async (c) => {
      expect((await c.query(call, [clinicId])).rows[0]).toMatchObject({ slot_id: slotId, capacity: 2 });
    });
  });

  it('keeps its rules: confirmation numbers unique per clinic and of the alphabet, a complete confirmed row, one key per clinic', async () => {
    await insertBooking({ confirmation_number: 'DUP234' });
    await expect(insertBooking({ confirmation_number: 'DUP234' })).rejects.toMatchObject({ code: '23505', constraint: 'bookings_clinic_id_confirmation_number_key' });
    await expect(insertBooking({ confirmation_number: 'ABC10O' })).rejects.toMatchObject({ code: '23514' });
    await expect(insertBooking({ confirmation_number: null })).rejects.toMatchObject({ code: '23514', constraint: 'bookings_confirmed_is_complete' });
    await expect(insertBooking({ confirmation_number: 'SRC234', source: 'fax' })).rejects.toMatchObject({ code: '23514' });
    await expect(insertBooking({ status: 'held', confirmation_number: null })).rejects.toMatchObject({ constraint: 'bookings_held_has_expiry' });
    await expect(insertBooking({ status: 'cancelled', confirmation_number: 'CAN234' })).rejects.toMatchObject({ constraint: 'bookings_cancelled_has_time' });
    await expect(insertBooking({ slot_id: null, confirmation_number: 'NWS234' })).rejects.toMatchObject({ constraint: 'bookings_live_has_slot' });
    await insertBooking({ confirmation_number: 'KEY234', idempotency_key: 'k1' });
    await expect(insertBooking({ confirmation_number: 'KEY235', idempotency_key: 'k1' })).rejects.toMatchObject({ constraint: 'idx_bookings_clinic_id_idempotency_key' });
    await db.pool.query(`update public.clinics set voice_assistant_id = 'asst-1' where id = $1`, [clinicId]);
    await expect(
      db.pool.query(`insert into public.clinics (name, timezone, pims_base_url, pims_credentials_encrypted, voice_assistant_id) values ('D', 'UTC', 'http://x', 'v1:a', 'asst-1')`),
    ).rejects.toMatchObject({ code: '23505', constraint: 'clinics_voice_assistant_id_key' });
  });
});
