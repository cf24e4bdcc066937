import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createTestDatabase, type TestDatabase } from './testing';

/**
 * What a Supabase project does to its database before any migration runs: the API roles exist, may
 * use the schema, and get every privilege on each new table, sequence and function in public.
 * The roles are made as 20261127000000_create_roles_and_helpers.sql makes them.
 */
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
])('schema on $setup', ({ beforeMigrations }) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ beforeMigrations });
  });
  afterAll(async () => {
    await db?.drop();
  });

  async function clinic(name = 'Clinic'): Promise<string> {
    const { rows } = await db.pool.query(
      `insert into public.clinics (name, timezone, pims_base_url, pims_credentials_encrypted)
       values ($1, 'America/New_York', 'http://neo.test', 'v1:x:y:z') returning id`,
      [name],
    );
    return rows[0].id;
  }

  async function slot(clinicId: string, date: string, start: string, capacity = 2): Promise<string> {
    const { rows } = await db.pool.query(
      `insert into public.schedule_slots (clinic_id, date, start_time, end_time, start_at, end_at, capacity)
       values ($1, $2::date, $3::time, ($3::time + interval '30 minutes')::time, ($2::date + $3::time)::timestamptz,
               ($2::date + $3::time)::timestamptz + interval '30 minutes', $4) returning id`,
      [clinicId, date, start, capacity],
    );
    return rows[0].id;
  }

  async function appointment(clinicId: string, id: string, slotId: string | null, date: string, deleted = false) {
    await db.pool.query(
      `insert into public.schedule_appointments (clinic_id, neo_appointment_id, slot_id, date, start_time, end_time,
         start_at, end_at, status, deleted_at)
       values ($1, $2, $3, $4, '09:00', '09:30', now(), now(), 'scheduled', $5)`,
      [clinicId, id, slotId, date, deleted ? new Date() : null],
    );
  }

  /** Runs fn in a transaction (rolled back) as one of the Supabase API roles, with JWT claims. */
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

  it('rejects a second case with the same (clinic_id, external_id), allows it in another clinic', async () => {
    const a = await clinic('A');
    const b = await clinic('B');
    const insert = (c: string) =>
      db.pool.query(`insert into public.cases (clinic_id, external_id, source) values ($1, 'A-1', 'idexx_neo')`, [c]);
    await insert(a);
    await expect(insert(a)).rejects.toMatchObject({ code: '23505' });
    await expect(insert(b)).resolves.toBeTruthy();
  });

  it('rejects a second appointment with the same (clinic_id, neo_appointment_id)', async () => {
    const a = await clinic();
    await appointment(a, 'N-1', null, '2026-12-01');
    await expect(appointment(a, 'N-1', null, '2026-12-02')).rejects.toMatchObject({ code: '23505' });
  });

  it('rejects a negative booked_count but allows overbooking', async () => {
    const a = await clinic();
    const s = await slot(a, '2026-12-01', '09:00', 1);
    await expect(db.pool.query(`update public.schedule_slots set booked_count = -1 where id = $1`, [s])).rejects.toMatchObject({
      code: '23514',
    });
    await expect(db.pool.query(`update public.schedule_slots set booked_count = 3 where id = $1`, [s])).resolves.toBeTruthy();
  });

  it('update_slot_counts_bulk counts only linked, live appointments and leaves other clinics and dates alone', async () => {
    const a = await clinic('A');
    const b = await clinic('B');
    const s1 = await slot(a, '2026-12-01', '09:00');
    const s2 = await slot(a, '2026-12-01', '09:30');
    const outside = await slot(a, '2026-12-05', '09:00');
    const other = await slot(b, '2026-12-01', '09:00');
    await appointment(a, 'x1', s1, '2026-12-01');
    await appointment(a, 'x2', s1, '2026-12-01');
    await appointment(a, 'x3', s1, '2026-12-01', true); // soft-deleted: not counted
    await appointment(a, 'x4', null, '2026-12-01'); // outside business hours: no slot
    await appointment(a, 'x5', outside, '2026-12-05');
    await appointment(b, 'y1', other, '2026-12-01');
    await db.pool.query(`update public.schedule_slots set booked_count = 1 where id = $1`, [s2]); // stale count
    const { rows } = await db.pool.query(`select public.update_slot_counts_bulk($1, '2026-12-01', '2026-12-02') as n`, [a]);
    expect(rows[0].n).toBe(2); // s1 0->2, s2 1->0
    const counts = await db.pool.query(`select id, booked_count from public.schedule_slots`);
    const byId = Object.fromEntries(counts.rows.map((r) => [r.id, r.booked_count]));
    expect(byId[s1]).toBe(2);
    expect(byId[s2]).toBe(0);
    expect(byId[outside]).toBe(0); // outside the date range: untouched
    expect(byId[other]).toBe(0); // other clinic: untouched
    const again = await db.pool.query(`select public.update_slot_counts_bulk($1, '2026-12-01', '2026-12-02') as n`, [a]);
    expect(again.rows[0].n).toBe(0); // nothing changed, nothing written
  });

  it('keeps updated_at by trigger', async () => {
    const a = await clinic();
    const before = await db.pool.query(`select updated_at from public.clinics where id = $1`, [a]);
    await new Promise((r) => setTimeout(r, 20));
    await db.pool.query(`update public.clinics set name = 'Renamed' where id = $1`, [a]);
    const after = await db.pool.query(`select updated_at from public.clinics where id = $1`, [a]);
    expect(after.rows[0].updated_at.getTime()).toBeGreaterThan(before.rows[0].updated_at.getTime());
  });

  it('allows one queued or running sync per clinic', async () => {
    const a = await clinic();
    await db.pool.query(`insert into public.case_sync_audits (clinic_id, sync_type) values ($1, 'full')`, [a]);
    await expect(
      db.pool.query(`insert into public.case_sync_audits (clinic_id, sync_type) values ($1, 'inbound')`, [a]),
    ).rejects.toMatchObject({ code: '23505' });
    await db.pool.query(`update public.case_sync_audits set status = 'completed' where clinic_id = $1`, [a]);
    await expect(
      db.pool.query(`insert into public.case_sync_audits (clinic_id, sync_type) values ($1, 'inbound')`, [a]),
    ).resolves.toBeTruthy();
  });

  it('has RLS enabled on every table in public, and the Supabase roles exist', async () => {
    const { rows } = await db.pool.query(
      `select c.relname, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind in ('r', 'p')`,
    );
    expect(rows.map((r) => r.relname).sort()).toEqual(
      ['bookings', 'case_sync_audits', 'cases', 'clinic_schedule_config', 'clinics', 'schedule_appointments', 'schedule_slots', 'vapi_tool_calls', 'write_back_outbox'].sort(),
    );
    for (const r of rows) expect(r, r.relname).toMatchObject({ relrowsecurity: true });
    const roles = await db.pool.query(`select rolname from pg_roles where rolname in ('anon', 'authenticated', 'service_role')`);
    expect(roles.rowCount).toBe(3);
  });

  it('lets an admin JWT read audits through RLS, hides them from others, and never grants the credentials column', async () => {
    const a = await clinic();
    await db.pool.query(`insert into public.case_sync_audits (clinic_id, sync_type, status) values ($1, 'full', 'completed')`, [a]);
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query(`set local role authenticated`);
      await client.query(`select set_config('request.jwt.claims', '{"app_metadata":{"role":"user"}}', true)`);
      expect((await client.query('select * from public.case_sync_audits')).rowCount).toBe(0);
      await client.query(`select set_config('request.jwt.claims', '{"app_metadata":{"role":"admin"}}', true)`);
      expect((await client.query('select * from public.case_sync_audits')).rowCount).toBeGreaterThan(0);
      await expect(client.query('select pims_credentials_encrypted from public.clinics')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await client.query('rollback');
      client.release();
    }
  });

  it('never lets an admin JWT read the credentials column, but lets it read the other clinic columns', async () => {
    const a = await clinic('Creds');
    await as('authenticated', ADMIN, async (c) => {
      await expect(c.query('select pims_credentials_encrypted from public.clinics')).rejects.toMatchObject({ code: '42501' });
    });
    await as('authenticated', ADMIN, async (c) => {
      await expect(c.query('select * from public.clinics')).rejects.toMatchObject({ code: '42501' });
    });
    await as('authenticated', ADMIN, async (c) => {
      const { rows } = await c.query(
        'select id, name, timezone, pims_provider, pims_base_url, pims_company_id, created_at, updated_at from public.clinics where id = $1',
        [a],
      );
      expect(rows).toEqual([expect.objectContaining({ id: a, name: 'Creds', pims_base_url: 'http://neo.test' })]);
    });
    await as('authenticated', USER, async (c) => {
      expect((await c.query('select id from public.clinics')).rowCount).toBe(0);
    });
    for (const role of ['anon', 'authenticated']) {
      const { rows } = await db.pool.query(
        `select has_column_privilege($1, 'public.clinics', 'pims_credentials_encrypted', 'select, insert, update, references') as any`,
        [role],
      );
      expect(rows[0].any, role).toBe(false);
    }
  });

  it('lets only service_role execute update_slot_counts_bulk, and the admin policies still call is_admin()', async () => {
    const a = await clinic();
    await slot(a, '2026-12-01', '09:00');
    const call = `select public.update_slot_counts_bulk($1, '2026-12-01', '2026-12-01') as n`;
    await as('anon', null, async (c) => {
      await expect(c.query(call, [a])).rejects.toMatchObject({ code: '42501' });
    });
    await as('authenticated', ADMIN, async (c) => {
      await expect(c.query(call, [a])).rejects.toMatchObject({ code: '42501' });
    });
    await as('service_role', null, async (c) => {
      expect((await c.query(call, [a])).rows[0].n).toBe(0);
    });
    const { rows } = await db.pool.query(
      `select p.proname, has_function_privilege('anon', p.oid, 'execute') as anon,
              has_function_privilege('authenticated', p.oid, 'execute') as authenticated
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public'`,
    );
    expect(rows.map((r) => r.proname)).toEqual(expect.arrayContaining(['is_admin', 'set_updated_at', 'update_slot_counts_bulk']));
    expect(rows.filter((r) => r.anon).map((r) => r.proname)).toEqual([]);
    expect(rows.filter((r) => r.authenticated).map((r) => r.proname)).toEqual(['is_admin']);
  });

  it('gives anon nothing and authenticated only select, on every table', async () => {
    const { rows } = await db.pool.query(
      `select c.relname,
              has_table_privilege('anon', c.oid, 'select, insert, update, delete, truncate, references, trigger') as anon_any,
              has_table_privilege('authenticated', c.oid, 'insert, update, delete, truncate, references, trigger') as authenticated_writes
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm')`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r, r.relname).toMatchObject({ anon_any: false, authenticated_writes: false });
    await as('anon', null, async (c) => {
      await expect(c.query('select id from public.case_sync_audits')).rejects.toMatchObject({ code: '42501' });
    });
    await clinic('Kept');
    await as('authenticated', ADMIN, async (c) => {
      await expect(c.query('truncate public.clinics cascade')).rejects.toMatchObject({ code: '42501' });
    });
    expect((await db.pool.query(`select 1 from public.clinics where name = 'Kept'`)).rowCount).toBe(1);
  });

  it('lets service_role write, and its updates still fire the updated_at trigger', async () => {
    const { rows } = await db.pool.query(
      `insert into public.clinics (name, timezone, pims_base_url, pims_credentials_encrypted, updated_at)
       values ('Old', 'UTC', 'http://neo.test', 'v1:x:y:z', '2000-01-01T00:00:00Z') returning id`,
    );
    const a = rows[0].id;
    await as('service_role', null, async (c) => {
      await c.query(`update public.clinics set name = 'By service_role' where id = $1`, [a]);
      const after = (await c.query(`select name, updated_at = now() as stamped from public.clinics where id = $1`, [a])).rows[0];
      expect(after).toEqual({ name: 'By service_role', stamped: true });
      await c.query(`insert into public.cases (clinic_id, external_id) values ($1, 'S-1')`, [a]);
      expect((await c.query(`select 1 from public.cases where clinic_id = $1`, [a])).rowCount).toBe(1);
    });
  });

  it('gives no implicit grant on tables and functions that later migrations create', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query('create table public.zz_later (id int primary key)');
      await client.query('create function public.zz_later_fn() returns int language sql as $$ select 1 $$');
      const { rows } = await client.query(
        `select r.rolname,
                has_table_privilege(r.rolname, 'public.zz_later', 'select, insert, update, delete, truncate') as tbl,
                has_function_privilege(r.rolname, 'public.zz_later_fn()', 'execute') as fn
         from pg_roles r where r.rolname in ('anon', 'authenticated', 'service_role') order by r.rolname`,
      );
      expect(rows).toEqual([
        { rolname: 'anon', tbl: false, fn: false },
        { rolname: 'authenticated', tbl: false, fn: false },
        { rolname: 'service_role', tbl: false, fn: false },
      ]);
    } finally {
      await client.query('rollback');
      client.release();
    }
  });
});
