// The orchestrator picks each clinic's PIMS provider from the registry by clinics.pims_provider. Two
// in-memory providers (the port's fake, no browser) under 'ezyvet' and 'idexx_neo', a real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@pims/db/testing';
import { createPimsRegistry } from '@pims/pims';
import { createFakePimsProvider, fakeAppointment, fakeConsultation, type FakePimsProvider } from '@pims/pims/testing';
import { addDays, encryptSecret, fixedClock, generateEncryptionKey, parseEncryptionKey, todayIn } from '@pims/util';
import type { NewClinic } from '../repositories/clinics.repository';
import { measuringProvider } from '../testing/sync-fixture';
import { SyncOrchestrator } from './sync-orchestrator';

// Friday 2026-11-27 10:00 in New York; Monday is 2026-11-30.
const NOW = '2026-11-27T15:00:00Z';
const TZ = 'America/New_York';
const TODAY = todayIn(TZ, fixedClock(NOW));
const PASSWORD = 'Fake-Pass-2026!';
const HOURS: NewClinic['schedule'] = { openTime: '08:00', closeTime: '18:00', daysOfWeek: [1, 2, 3, 4, 5], slotDurationMinutes: 30, capacity: 2 };

let db: TestDatabase;
let ezy: FakePimsProvider;
let neo: FakePimsProvider;
let orchestrator: SyncOrchestrator;
const key = parseEncryptionKey(generateEncryptionKey());

const q = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows;
const at = (day: number, time: string, id: string, more: Omit<Parameters<typeof fakeAppointment>[0], 'id' | 'date' | 'time' | 'timezone'> = {}) =>
  fakeAppointment({ id, date: addDays(TODAY, day), time, timezone: TZ, ...more });

async function addClinic(provider: 'ezyvet' | 'idexx_neo', username: string, schedule: NewClinic['schedule'] = HOURS): Promise<string> {
  const { id } = await orchestrator.clinics.create({
    name: `Clinic ${username}`,
    timezone: TZ,
    pims:
      provider === 'ezyvet'
        ? { provider, baseUrl: 'https://pims.example', partnerId: 'partner-1', clientId: username, clientSecret: PASSWORD }
        : { provider, baseUrl: 'https://pims.example', companyId: null, username, password: PASSWORD },
    schedule,
  });
  return id;
}

beforeAll(async () => {
  db = await createTestDatabase();
  ezy = createFakePimsProvider({ name: 'ezyvet' });
  neo = createFakePimsProvider({ name: 'idexx_neo' });
  orchestrator = new SyncOrchestrator({ pool: db.pool, registry: createPimsRegistry([neo, ezy]), credentialsKey: key, clock: fixedClock(NOW), progressIntervalMs: 20 });
});
afterAll(async () => {
  await orchestrator?.close();
  await db?.drop();
});

describe('a clinic on a second PIMS provider', () => {
  let clinicId: string;

  it('runs a full sync through the provider its pims_provider names: cases, consultations, schedule rows and slot counts', async () => {
    ezy.setClinic({
      username: 'ezy-desk',
      password: PASSWORD,
      appointments: [
        at(-1, '09:00', 'E-p1', { status: 'completed', consultationId: 'K-1', lastUpdatedAt: `${addDays(TODAY, -1)} 10:00:00` }),
        at(-2, '10:00', 'E-p2', { status: 'cancelled' }),
        at(-4, '10:00', 'E-old'), // before the backward window
        at(0, '08:30', 'E-p3', { status: 'checked_in' }),
        at(3, '09:00', 'E-f1', { status: 'confirmed' }),
        at(3, '09:10', 'E-f2'),
        at(3, '09:30', 'E-f3', { status: 'cancelled' }),
        at(3, '19:00', 'E-f4'), // outside business hours
        at(4, '10:00', 'E-f5', { status: 'no_show' }),
      ],
      consultations: [fakeConsultation('K-1', { notes: 'S: itchy ears. A: otitis externa.', diagnoses: ['Otitis externa'] })],
    });
    // The other provider holds a clinic under the same log-in: it must not be asked.
    neo.setClinic({ username: 'ezy-desk', password: PASSWORD, appointments: [at(-1, '11:00', 'N-wrong')] });
    clinicId = await addClinic('ezyvet', 'ezy-desk');

    const audit = await orchestrator.runBidirectionalSync({ clinicId, backwardDays: 3, forwardDays: 7, reconciliationDays: 3 });
    expect(audit.status).toBe('completed');
    expect(audit.phases.map((p) => [p.name, p.status])).toEqual([
      ['backward_inbound', 'completed'],
      ['case_enrichment', 'completed'],
      ['forward_inbound', 'completed'],
      ['reconciliation', 'completed'],
    ]);
    expect(ezy.calls.authenticate).toBe(1);
    expect(neo.calls.authenticate).toBe(0);
    expect(ezy.calls.getConsultation).toBe(1);

    const cases = await q(
      `select external_id, source, status, metadata -> 'pimsConsultation' as k from public.cases where clinic_id = $1 order by external_id`,
      [clinicId],
    );
    expect(cases.map((c) => [c.external_id, c.status, c.source])).toEqual([
      ['E-p1', 'completed', 'ezyvet'],
      ['E-p2', 'reviewed', 'ezyvet'],
      ['E-p3', 'ongoing', 'ezyvet'],
    ]);
    expect(cases[0].k).toMatchObject({ id: 'K-1', notes: 'S: itchy ears. A: otitis externa.', diagnoses: ['Otitis externa'], sourceUpdatedAt: `${addDays(TODAY, -1)} 10:00:00` });
    expect(audit.casesCreated).toBe(3);

    const rows = await q(
      `select a.neo_appointment_id as id, a.status, s.date::text as slot_date, s.start_time as slot_start
       from public.schedule_appointments a left join public.schedule_slots s on s.id = a.slot_id
       where a.clinic_id = $1 and a.deleted_at is null order by a.neo_appointment_id`,
      [clinicId],
    );
    expect(rows).toEqual([
      { id: 'E-f1', status: 'confirmed', slot_date: '2026-11-30', slot_start: '09:00:00' },
      { id: 'E-f2', status: 'scheduled', slot_date: '2026-11-30', slot_start: '09:00:00' },
      { id: 'E-f4', status: 'scheduled', slot_date: null, slot_start: null },
      { id: 'E-p3', status: 'checked_in', slot_date: '2026-11-27', slot_start: '08:30:00' },
    ]);
    const slot = async (date: string, time: string) =>
      (await q(`select booked_count, capacity from public.schedule_slots where clinic_id = $1 and date = $2 and start_time = $3`, [clinicId, date, time]))[0];
    expect(await slot('2026-11-30', '09:00')).toEqual({ booked_count: 2, capacity: 2 });
    expect(await slot('2026-11-30', '09:30')).toEqual({ booked_count: 0, capacity: 2 });
    expect(await slot('2026-11-27', '08:30')).toEqual({ booked_count: 1, capacity: 2 });
    expect(await slot('2026-12-01', '10:00')).toEqual({ booked_count: 0, capacity: 2 });
    // Business hours of today .. today+7: Friday, then Monday to Friday; 20 half-hours a day.
    const [{ n }] = await q(`select count(*)::int as n from public.schedule_slots where clinic_id = $1`, [clinicId]);
    expect(n).toBe(6 * 20);
  });

  it('keeps following that provider: its changes reach the cases and slots, on the same logged-in session', async () => {
    const data = ezy.clinic('ezy-desk');
    data.appointments = data.appointments.filter((a) => a.id !== 'E-p2'); // gone from the PIMS
    data.appointments.find((a) => a.id === 'E-f1')!.status = 'cancelled';
    const reconciled = await orchestrator.runReconciliation({ clinicId, reconciliationDays: 3 });
    expect(reconciled.status).toBe('completed');
    expect(reconciled.casesDeleted).toBe(1);
    const inbound = await orchestrator.runInboundSync({ clinicId, forwardDays: 7 });
    expect(inbound.status).toBe('completed');
    expect((await q(`select deleted_at from public.cases where clinic_id = $1 and external_id = 'E-p2'`, [clinicId]))[0].deleted_at).not.toBeNull();
    expect((await q(`select booked_count from public.schedule_slots where clinic_id = $1 and date = '2026-11-30' and start_time = '09:00'`, [clinicId]))[0].booked_count).toBe(1);
    expect(ezy.calls.authenticate).toBe(1); // the session was kept between syncs
    expect(neo.calls.authenticate).toBe(0);
  });

  it('a clinic on the other provider is synced by that one, with its name as the cases’ source', async () => {
    neo.setClinic({ username: 'neo-desk', password: PASSWORD, appointments: [at(-1, '14:00', 'N-1', { status: 'completed' }), at(2, '09:00', 'N-2')] });
    const neoClinic = await addClinic('idexx_neo', 'neo-desk');
    const audit = await orchestrator.runBidirectionalSync({ clinicId: neoClinic, forwardDays: 7 });
    expect(audit.status).toBe('completed');
    expect(neo.calls.authenticate).toBe(1);
    expect(await q(`select external_id, source from public.cases where clinic_id = $1`, [neoClinic])).toEqual([{ external_id: 'N-1', source: 'idexx_neo' }]);
    expect(await q(`select neo_appointment_id from public.schedule_appointments where clinic_id = $1`, [neoClinic])).toEqual([{ neo_appointment_id: 'N-2' }]);
  });

  it('logs in with the new provider when a clinic moves to another PIMS, and closes the kept session of the old one', async () => {
    expect(ezy.openSessions()).toBe(1);
    // A move to another PIMS comes with that PIMS's log-in (a username and password for IDEXX Neo).
    await q(`update public.clinics set pims_provider = 'idexx_neo', pims_credentials_encrypted = $2 where id = $1`, [
      clinicId,
      encryptSecret(JSON.stringify({ username: 'ezy-desk', password: PASSWORD }), key),
    ]);
    const before = neo.calls.authenticate;
    const audit = await orchestrator.runInboundSync({ clinicId, forwardDays: 7 });
    expect(audit.status).toBe('completed');
    expect(neo.calls.authenticate).toBe(before + 1);
    expect(ezy.openSessions()).toBe(0);
    // The other provider's calendar for that log-in has no visit ahead: the schedule follows it.
    expect(await q(`select neo_appointment_id from public.schedule_appointments where clinic_id = $1 and deleted_at is null`, [clinicId])).toEqual([]);
  });
});

describe('case enrichment', () => {
  it('keeps at most parallelBatchSize consultation requests in flight, and fetches each one once', async () => {
    const slow = createFakePimsProvider({ name: 'ezyvet', latencyMs: 15 });
    const { provider, metrics } = measuringProvider(slow);
    const bounded = new SyncOrchestrator({ pool: db.pool, registry: createPimsRegistry([provider]), credentialsKey: key, clock: fixedClock(NOW) });
    try {
      const visits = Array.from({ length: 12 }, (_, i) => at(-1 - (i % 5), `${String(9 + (i % 8)).padStart(2, '0')}:00`, `B-${i}`, { status: 'completed', consultationId: `K-B${i}` }));
      slow.setClinic({ username: 'ezy-bounded', password: PASSWORD, appointments: visits, consultations: visits.map((v) => fakeConsultation(v.consultationId!)) });
      const clinicId = await addClinic('ezyvet', 'ezy-bounded');
      const audit = await bounded.runCaseSync({ clinicId, parallelBatchSize: 3 });
      expect(audit.status).toBe('completed');
      expect(metrics.consultations).toBe(0); // a case sync alone: the cases do not exist yet
      expect((await bounded.runBidirectionalSync({ clinicId, parallelBatchSize: 3 })).status).toBe('completed');
      expect(metrics.consultations).toBe(12);
      expect(metrics.maxInFlight).toBeLessThanOrEqual(3);
      expect(metrics.maxInFlight).toBeGreaterThan(1);
      const [{ n }] = await q(`select count(*)::int as n from public.cases where clinic_id = $1 and metadata ? 'pimsConsultation'`, [clinicId]);
      expect(n).toBe(12);
    } finally {
      await bounded.close();
    }
  });
});

describe('a clinic whose provider is not registered', () => {
  it('fails its sync with pims_provider_unknown and writes nothing', async () => {
    const neoOnly = new SyncOrchestrator({ pool: db.pool, registry: createPimsRegistry([createFakePimsProvider({ name: 'idexx_neo' })]), credentialsKey: key, clock: fixedClock(NOW) });
    try {
      ezy.setClinic({ username: 'ezy-unregistered', password: PASSWORD, appointments: [at(-1, '09:00', 'U-1')] });
      const clinicId = await addClinic('ezyvet', 'ezy-unregistered');
      const audit = await neoOnly.runBidirectionalSync({ clinicId });
      expect(audit).toMatchObject({ status: 'failed', errorCode: 'pims_provider_unknown' });
      expect(audit.errorMessage).toContain("No PIMS provider 'ezyvet' is registered");
      expect(await q(`select 1 from public.cases where clinic_id = $1`, [clinicId])).toEqual([]);
      expect(await q(`select 1 from public.schedule_slots where clinic_id = $1`, [clinicId])).toEqual([]);
    } finally {
      await neoOnly.close();
    }
  });
});
