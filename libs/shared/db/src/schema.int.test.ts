import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './testing';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
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

describe('schema', () => {
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
      ['case_sync_audits', 'cases', 'clinic_schedule_config', 'clinics', 'schedule_appointments', 'schedule_slots'].sort(),
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
});
