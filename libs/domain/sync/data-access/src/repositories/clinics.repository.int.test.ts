import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@pims/db/testing';
import { generateEncryptionKey, parseEncryptionKey } from '@pims/util';
import { ClinicsRepository } from './clinics.repository';

const PASSWORD = 'Sim-Pass-2026!';
let db: TestDatabase;
let repo: ClinicsRepository;

beforeAll(async () => {
  db = await createTestDatabase();
  repo = new ClinicsRepository(db.pool, parseEncryptionKey(generateEncryptionKey()));
});
afterAll(async () => {
  await db.drop();
});

const input = {
  name: 'Happy Paws Veterinary',
  timezone: 'America/New_York',
  pims: { provider: 'idexx_neo' as const, baseUrl: 'https://us.idexxneo.com/', companyId: '8890', username: 'frontdesk', password: PASSWORD },
};

describe('clinics repository', () => {
  it('stores credentials encrypted: neither password nor username appears in the database text', async () => {
    const { id } = await repo.create(input);
    const { rows } = await db.pool.query(`select to_jsonb(c)::text as row_text from public.clinics c where id = $1`, [id]);
    expect(rows[0].row_text).not.toContain(PASSWORD);
    expect(rows[0].row_text).not.toContain('frontdesk');
    expect(rows[0].row_text).toContain('v1:');
    // and nowhere else in the database either (a dump of every text column of public tables)
    const dump = await db.pool.query(`select string_agg(t::text, ' ') as all_text from (
      select to_jsonb(c)::text as t from public.clinics c union all select to_jsonb(s)::text from public.clinic_schedule_config s) x`);
    expect(dump.rows[0].all_text).not.toContain(PASSWORD);
  });

  it('never returns the password when listing or reading for display', async () => {
    const { id } = await repo.create({ ...input, name: 'Second Clinic' });
    const list = await repo.list();
    expect(list.map((c) => c.name)).toEqual(['Happy Paws Veterinary', 'Second Clinic']);
    expect(JSON.stringify(list)).not.toContain(PASSWORD);
    expect(JSON.stringify(await repo.findById(id))).not.toContain(PASSWORD);
    expect(list[0]).toMatchObject({ timezone: 'America/New_York', pimsProvider: 'idexx_neo', pimsBaseUrl: 'https://us.idexxneo.com' });
  });

  it('gives the decrypted credentials to the provider factory only', async () => {
    const { id } = await repo.create(input);
    expect(await repo.getCredentials(id)).toEqual({ provider: 'idexx_neo', baseUrl: 'https://us.idexxneo.com', companyId: '8890', username: 'frontdesk', password: PASSWORD });
    const otherKey = new ClinicsRepository(db.pool, parseEncryptionKey(generateEncryptionKey()));
    await expect(otherKey.getCredentials(id)).rejects.toMatchObject({ code: 'credentials_unreadable' });
  });

  it('keeps the schedule config, or marks it absent so slots follow the PIMS', async () => {
    const withSchedule = await repo.create({
      ...input,
      schedule: { openTime: '09:00', closeTime: '17:00', daysOfWeek: [1, 2, 3], slotDurationMinutes: 20, capacity: 3 },
    });
    expect((await repo.findById(withSchedule.id))!.schedule).toMatchObject({
      openTime: '09:00:00',
      closeTime: '17:00:00',
      daysOfWeek: [1, 2, 3],
      slotDurationMinutes: 20,
      defaultCapacity: 3,
      syncCron: '0 2 * * *',
      hasBusinessHours: true,
      timezone: 'America/New_York',
    });
    const without = await repo.create(input);
    expect((await repo.findById(without.id))!.schedule!.hasBusinessHours).toBe(false);
  });
});

describe('clinics repository: ezyVet clinics', () => {
  const SECRET = 'ezy-Secret-2026!';
  const ezy = {
    name: 'Harbour Vets',
    timezone: 'Pacific/Auckland',
    pims: { provider: 'ezyvet' as const, baseUrl: 'https://api.trial.ezyvet.com/', partnerId: 'partner-7', clientId: 'harbour-vets', clientSecret: SECRET },
  };

  it('stores the OAuth client secret encrypted and gives the provider its client credentials back', async () => {
    const { id } = await repo.create(ezy);
    const { rows } = await db.pool.query(`select to_jsonb(c)::text as t, pims_company_id from public.clinics c where id = $1`, [id]);
    expect(rows[0].t).not.toContain(SECRET);
    expect(rows[0].pims_company_id).toBeNull();
    expect(await repo.getCredentials(id)).toEqual({
      provider: 'ezyvet',
      baseUrl: 'https://api.trial.ezyvet.com',
      partnerId: 'partner-7',
      clientId: 'harbour-vets',
      clientSecret: SECRET,
    });
    const settings = await repo.getSettings(id);
    expect(settings?.pimsProvider).toBe('ezyvet');
    expect(settings?.pims).toEqual({ baseUrl: 'https://api.trial.ezyvet.com', clientId: 'harbour-vets' });
    expect(JSON.stringify(settings)).not.toContain(SECRET);
  });

  it('keeps the stored secret for a new partner id only when the secret is given again, and refuses Neo fields', async () => {
    const { id } = await repo.create({ ...ezy, name: 'Harbour Vets 2' });
    await expect(repo.updateSettings(id, { pims: { clientId: 'other-client' } })).rejects.toMatchObject({ code: 'validation_error', message: expect.stringContaining('clientSecret') });
    await expect(repo.updateSettings(id, { pims: { username: 'frontdesk' } })).rejects.toMatchObject({ code: 'validation_error', message: expect.stringContaining('username') });
    await expect(repo.updateSettings(id, { pims: { companyId: '8890' } })).rejects.toMatchObject({ code: 'validation_error' });
    await repo.updateSettings(id, { pims: { partnerId: 'partner-8', clientSecret: 'new-Secret-2026' } });
    expect(await repo.getCredentials(id)).toMatchObject({ partnerId: 'partner-8', clientId: 'harbour-vets', clientSecret: 'new-Secret-2026' });
    // a new secret alone keeps who logs in
    await repo.updateSettings(id, { pims: { clientSecret: 'third-Secret' } });
    expect(await repo.getCredentials(id)).toMatchObject({ partnerId: 'partner-8', clientId: 'harbour-vets', clientSecret: 'third-Secret' });
  });

  it('refuses ezyVet fields on an IDEXX Neo clinic', async () => {
    const { id } = await repo.create({ ...input, name: 'Neo Clinic X' });
    await expect(repo.updateSettings(id, { pims: { clientSecret: 'x' } })).rejects.toMatchObject({ code: 'validation_error', message: expect.stringContaining('clientSecret') });
    expect(await repo.getCredentials(id)).toMatchObject({ provider: 'idexx_neo', username: 'frontdesk', password: PASSWORD });
  });
});
