// CONTRACT section 10: a clinic on ezyVet ends with the same data in our tables as a clinic on IDEXX
// Neo with the same visits. One generated clinic is loaded into both simulators (the same scenario:
// the same external ids on both PIMS), each clinic gets a full sync through its real provider, and
// what each sync wrote is compared table by table. Then 5% of the visits change in both PIMS: the
// ezyVet re-sync asks only for what changed and still ends where Neo's full re-read ends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@pims/db/testing';
import { generateClinic, type AppointmentScenarioInput, type GeneratedClinic } from '@pims/idexx-neo-sim';
import type { Simulator } from '@pims/ezyvet-sim';
import type { PimsProvider } from '@pims/pims';
import { PASSWORD } from '@pims/sync-data-access/testing';
import { fixedClock, generateEncryptionKey, parseEncryptionKey } from '@pims/util';
import { createOrchestrator, createRepositories } from './composition';
import { EZYVET_TARGET, NEO_TARGET } from './testing/pims-targets';

const NOW = '2026-11-27T15:00:00Z'; // Friday 10:00 in New York
const TZ = 'America/New_York';
const COMPANY = '7301';
const HOURS = {
  openTime: '08:00',
  closeTime: '18:00',
  daysOfWeek: [1, 2, 3, 4, 5, 6],
  slotDurationMinutes: 30,
  capacity: 3,
};
// Two weeks back and ahead of a busy hospital (ezyVet's market): enough pages for the re-sync's share to mean something.
const WINDOW = { backwardDays: 14, forwardDays: 14, reconciliationDays: 7 };

let db: TestDatabase;
const sims: Simulator[] = [];
const providers: PimsProvider[] = [];
let orchestrator: ReturnType<typeof createOrchestrator>;
const clinicOf: Record<string, string> = {};
let generated: GeneratedClinic;

const q = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows;

/** What a sync left in our tables for a clinic, without our own ids and times. */
async function tablesOf(clinicId: string) {
  const cases = await q(
    `select external_id, status, scheduled_at, deleted_at is not null as deleted,
            metadata -> 'pimsAppointment' ->> 'status' as pims_status,
            metadata -> 'pimsAppointment' ->> 'reason' as reason,
            metadata -> 'pimsConsultation' ->> 'dischargeSummary' as discharge_summary,
            metadata -> 'pimsConsultation' ->> 'notes' as notes,
            metadata -> 'pimsConsultation' -> 'diagnoses' as diagnoses
     from public.cases where clinic_id = $1 order by external_id`,
    [clinicId],
  );
  const appointments = await q(
    `select a.neo_appointment_id as id, a.status, a.start_at, a.end_at, a.deleted_at is not null as deleted, s.date::text as slot_date, s.start_time as slot_time
     from public.schedule_appointments a left join public.schedule_slots s on s.id = a.slot_id
     where a.clinic_id = $1 order by a.neo_appointment_id`,
    [clinicId],
  );
  const slots = await q(
    `select date::text as date, start_time, end_time, capacity, booked_count from public.schedule_slots where clinic_id = $1 order by date, start_time`,
    [clinicId],
  );
  return { cases, appointments, slots };
}

/** 5% of the visits change: every 20th past visit becomes a no-show, every 20th future one moves an hour later. */
function changed(clinic: GeneratedClinic): { clinic: GeneratedClinic; changedIds: string[] } {
  const changedIds: string[] = [];
  const appointments = clinic.appointments!.map((a: AppointmentScenarioInput, i: number) => {
    if (a.isBlock || a.isRoster || i % 20 !== 7) return a;
    changedIds.push(String(a.id));
    const start = typeof a.start === 'string' ? a.start : null;
    if (start && start > NOW.slice(0, 10)) {
      const hour = Number(start.slice(11, 13));
      return {
        ...a,
        start: `${start.slice(0, 11)}${String(Math.min(hour + 1, 16)).padStart(2, '0')}${start.slice(13)}`,
      };
    }
    return { ...a, status: 'no_show' as const };
  });
  return { clinic: { ...clinic, appointments }, changedIds };
}

beforeAll(async () => {
  db = await createTestDatabase();
  generated = generateClinic({
    seed: 'parity',
    companyId: COMPANY,
    name: 'Parity Clinic',
    timezone: TZ,
    visitsPerDay: 120,
    daysBack: 14,
    daysForward: 14,
    consultationRate: 0.15,
    now: NOW,
    username: `user-${COMPANY}`,
    password: PASSWORD,
  });
  const key = parseEncryptionKey(generateEncryptionKey());
  const repositories = createRepositories(db.pool, key);
  for (const target of [NEO_TARGET, EZYVET_TARGET]) {
    const sim = await target.startSimulator({ port: 0, now: NOW, scenario: { clinics: [generated] } });
    sims.push(sim);
    providers.push(target.makeProvider());
    const { id } = await repositories.clinics.create({
      name: `Parity on ${target.name}`,
      timezone: TZ,
      pims: target.credentials(sim, COMPANY),
      schedule: HOURS,
    });
    clinicOf[target.name] = id;
  }
  orchestrator = createOrchestrator({
    pool: db.pool,
    credentialsKey: key,
    repositories,
    providers,
    clock: fixedClock(NOW),
  });
});

afterAll(async () => {
  await orchestrator?.close();
  for (const p of providers) await p.close();
  for (const s of sims) await s.close();
  await db?.drop();
});

const ezyvetSim = () => sims[1];
const appointmentRequests = () => ezyvetSim().stats().byCompany[COMPANY]?.requests.appointment ?? 0;

describe('the same visits on IDEXX Neo and on ezyVet', () => {
  let firstRequests = 0;

  it('give the same cases, schedule rows and slot counts after a full sync of each clinic', async () => {
    for (const name of ['idexx_neo', 'ezyvet']) {
      const audit = await orchestrator.runBidirectionalSync({ clinicId: clinicOf[name], ...WINDOW });
      expect(audit.status, `${name}: ${audit.errorMessage}`).toBe('completed');
      if (name === 'ezyvet') firstRequests = appointmentRequests();
    }
    const neo = await tablesOf(clinicOf.idexx_neo);
    const ezy = await tablesOf(clinicOf.ezyvet);
    // A busy hospital's rows: two weeks back and two ahead.
    expect(neo.cases.length).toBeGreaterThan(500);
    expect(neo.appointments.length).toBeGreaterThan(500);
    expect(neo.cases.filter((c) => c.discharge_summary).length).toBeGreaterThan(50);
    expect(new Set(neo.cases.map((c) => c.status)).size).toBeGreaterThan(2);
    expect(ezy.cases).toEqual(neo.cases);
    expect(ezy.appointments).toEqual(neo.appointments);
    expect(ezy.slots).toEqual(neo.slots);
    expect(ezy.slots.reduce((n, s) => n + s.booked_count, 0)).toBeGreaterThan(500);
    expect(firstRequests).toBeGreaterThan(0);
  });

  it('after 5% of the visits change, the ezyVet re-sync makes at most 10% of its first appointment requests and ends with what Neo reads in full', async () => {
    const { clinic, changedIds } = changed(generated);
    expect(changedIds.length).toBeGreaterThan(5);
    for (const sim of sims) sim.setScenario({ clinics: [clinic] });
    const before = appointmentRequests();
    for (const name of ['idexx_neo', 'ezyvet']) {
      const audit = await orchestrator.runBidirectionalSync({ clinicId: clinicOf[name], ...WINDOW });
      expect(audit.status, `${name}: ${audit.errorMessage}`).toBe('completed');
    }
    const resyncRequests = appointmentRequests() - before;
    expect(resyncRequests).toBeGreaterThan(0);
    expect(resyncRequests).toBeLessThanOrEqual(firstRequests * 0.1);
    const neo = await tablesOf(clinicOf.idexx_neo);
    const ezy = await tablesOf(clinicOf.ezyvet);
    // The changes arrived: the no-shows and the moved visits are in the tables.
    const changedCases = neo.cases.filter((c) => changedIds.includes(c.external_id));
    expect(changedCases.some((c) => c.pims_status === 'no_show')).toBe(true);
    expect(ezy.cases).toEqual(neo.cases);
    expect(ezy.appointments).toEqual(neo.appointments);
    expect(ezy.slots).toEqual(neo.slots);
  });
});
