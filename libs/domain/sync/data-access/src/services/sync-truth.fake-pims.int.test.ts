// What the PIMS says is true, and what it does not say is not a delete: moved visits are followed,
// an emptied calendar holds forward inbound, unreadable records are never deleted, a consultation the
// PIMS does not have is not asked for every night, and a cancel during the last phase is honoured.
// The sync engine on a real PostgreSQL with the port's in-memory provider.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@pims/db/testing';
import { createPimsRegistry, pimsUnavailable, type PimsAppointment, type PimsProvider } from '@pims/pims';
import { createFakePimsProvider, fakeAppointment, fakeConsultation, type FakePimsProvider } from '@pims/pims/testing';
import { addDays, fixedClock, generateEncryptionKey, instantOfLocal, parseEncryptionKey, todayIn } from '@pims/util';
import type { NewClinic } from '../repositories/clinics.repository';
import { SyncOrchestrator } from './sync-orchestrator';

// Friday 2026-11-27 10:00 in New York: last Tuesday is day -3, next Friday day +7, Monday day +3.
const NOW = '2026-11-27T15:00:00Z';
const TZ = 'America/New_York';
const TODAY = todayIn(TZ, fixedClock(NOW));
const PASSWORD = 'Fake-Pass-2026!';
const HOURS: NewClinic['schedule'] = { openTime: '08:00', closeTime: '18:00', daysOfWeek: [1, 2, 3, 4, 5], slotDurationMinutes: 30, capacity: 2 };

let db: TestDatabase;
let pims: FakePimsProvider;
let orchestrator: SyncOrchestrator;
const key = parseEncryptionKey(generateEncryptionKey());
/** Called by the wrapped provider on every getAppointments, before it answers. */
let beforeCalendarAnswer: (() => Promise<void>) | null = null;

const q = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows;
type More = Omit<Parameters<typeof fakeAppointment>[0], 'id' | 'date' | 'time' | 'timezone'>;
const at = (day: number, time: string, id: string, more: More = {}) => fakeAppointment({ id, date: addDays(TODAY, day), time, timezone: TZ, ...more });
const instant = (day: number, time: string) => instantOfLocal(addDays(TODAY, day), time, TZ)!.toISOString();

/** The provider, with a hook into its calendar reads (to act in the middle of a phase, deterministically). */
function hooked(inner: PimsProvider): PimsProvider {
  return {
    name: inner.name,
    close: () => inner.close(),
    async authenticate(creds, opts) {
      const s = await inner.authenticate(creds, opts);
      return {
        async getAppointments(from, to, o) {
          const r = await s.getAppointments(from, to, o);
          if (beforeCalendarAnswer) await beforeCalendarAnswer();
          return r;
        },
        getAppointment: (id, o) => s.getAppointment(id, o),
        getConsultation: (id, o) => s.getConsultation(id, o),
        getScheduleConfig: (o) => s.getScheduleConfig(o),
        close: () => s.close(),
      };
    },
  };
}

let clinics = 0;
async function addClinic(appointments: PimsAppointment[], more: { consultations?: ReturnType<typeof fakeConsultation>[] } = {}) {
  const username = `desk-${++clinics}`;
  pims.setClinic({ username, password: PASSWORD, appointments, consultations: more.consultations });
  const { id } = await orchestrator.clinics.create({
    name: `Clinic ${username}`,
    timezone: TZ,
    pims: { provider: 'ezyvet', baseUrl: 'https://pims.example', partnerId: 'partner-1', clientId: username, clientSecret: PASSWORD },
    schedule: HOURS,
  });
  return { clinicId: id, data: pims.clinic(username) };
}

/** Moves an appointment of the fake PIMS to another day and time (same id), optionally with a new status. */
function move(data: { appointments: PimsAppointment[] }, id: string, day: number, time: string, status?: PimsAppointment['status']) {
  const i = data.appointments.findIndex((a) => a.id === id);
  const old = data.appointments[i];
  data.appointments[i] = at(day, time, id, { status: status ?? old.status, consultationId: old.consultationId, lastUpdatedAt: `${TODAY} 09:00:00` });
}

const caseRow = async (clinicId: string, externalId: string) =>
  (await q(`select id, status, scheduled_at, deleted_at, metadata from public.cases where clinic_id = $1 and external_id = $2`, [clinicId, externalId]))[0];
const liveSchedule = async (clinicId: string) =>
  (await q(`select neo_appointment_id as id from public.schedule_appointments where clinic_id = $1 and deleted_at is null order by 1`, [clinicId])).map((r) => r.id);
const phaseOf = (audit: { phases: { name: string }[] }, name: string) => audit.phases.find((p) => p.name === name) as unknown as { status: string; stats: Record<string, number>; error: { code: string; message: string } | null };

beforeAll(async () => {
  db = await createTestDatabase();
  pims = createFakePimsProvider({ name: 'ezyvet' });
  orchestrator = new SyncOrchestrator({ pool: db.pool, registry: createPimsRegistry([hooked(pims)]), credentialsKey: key, clock: fixedClock(NOW), progressIntervalMs: 20 });
});
afterAll(async () => {
  await orchestrator?.close();
  await db?.drop();
});

describe('reconciliation follows moved visits', () => {
  const tenVisits = () => Array.from({ length: 10 }, (_, i) => at(-1 - (i % 5), `${String(8 + i).padStart(2, '0')}:00`, `m${i}`, { status: 'confirmed' }));

  it('keeps a visit moved into next week and one moved three weeks back live, in place, with the new time and status; a gone visit is still deleted', async () => {
    const { clinicId, data } = await addClinic(tenVisits());
    expect((await orchestrator.runBidirectionalSync({ clinicId })).status).toBe('completed');
    const before = { forward: await caseRow(clinicId, 'm2'), back: await caseRow(clinicId, 'm1') };
    expect(before.forward.scheduled_at.toISOString()).toBe(instant(-3, '10:00')); // last Tuesday

    move(data, 'm2', 7, '11:30', 'scheduled'); // to next Friday
    move(data, 'm1', -21, '09:15', 'completed'); // three weeks back, and seen
    data.appointments = data.appointments.filter((a) => a.id !== 'm9'); // gone from the PIMS
    const lookupsBefore = pims.calls.getAppointment;

    const rec = await orchestrator.runReconciliation({ clinicId });
    expect(rec.status).toBe('completed');
    expect(rec.casesDeleted).toBe(1);
    expect(phaseOf(rec, 'reconciliation').stats).toMatchObject({ casesMoved: 2, casesDeleted: 1, lookups: 3, lookupsFailed: 0, heldDeletes: 0 });
    expect(pims.calls.getAppointment - lookupsBefore).toBe(3); // each missing visit looked up on its own

    const forward = await caseRow(clinicId, 'm2');
    expect(forward).toMatchObject({ id: before.forward.id, status: 'draft', deleted_at: null });
    expect(forward.scheduled_at.toISOString()).toBe(instant(7, '11:30'));
    expect(forward.metadata.pimsAppointment).toMatchObject({ date: addDays(TODAY, 7), startTime: '11:30:00', status: 'scheduled' });
    expect(forward.metadata.reconciliation).toBeUndefined();
    const back = await caseRow(clinicId, 'm1');
    expect(back).toMatchObject({ id: before.back.id, status: 'completed', deleted_at: null });
    expect(back.scheduled_at.toISOString()).toBe(instant(-21, '09:15'));
    const gone = await caseRow(clinicId, 'm9');
    expect(gone.deleted_at).not.toBeNull();
    expect(gone.metadata.reconciliation).toMatchObject({ reason: 'removed_from_pims', syncId: rec.id });

    // The next full sync deletes nothing and finds nothing new to look up.
    const again = await orchestrator.runBidirectionalSync({ clinicId });
    expect(again.status).toBe('completed');
    expect(again.casesDeleted).toBe(0);
    expect(pims.calls.getAppointment - lookupsBefore).toBe(3);
    expect((await caseRow(clinicId, 'm2')).deleted_at).toBeNull();
    expect((await caseRow(clinicId, 'm1')).deleted_at).toBeNull();
    expect(await liveSchedule(clinicId)).toEqual(['m2']); // next Friday is in the forward window
  });

  it('moved visits do not count toward the mass-delete guard', async () => {
    const { clinicId, data } = await addClinic(tenVisits());
    await orchestrator.runBidirectionalSync({ clinicId });
    for (const [id, day] of [['m0', 6], ['m1', 8], ['m2', -20], ['m3', -25], ['m4', 9]] as const) move(data, id, day, '10:00');
    const rec = await orchestrator.runReconciliation({ clinicId });
    expect(rec.status).toBe('completed');
    expect(phaseOf(rec, 'reconciliation').stats).toMatchObject({ casesMoved: 5, casesDeleted: 0, heldDeletes: 0 });
    const [{ n }] = await q(`select count(*)::int as n from public.cases where clinic_id = $1 and deleted_at is null`, [clinicId]);
    expect(n).toBe(10);
  });

  it('a lookup that fails is not a delete: the case is kept and the phase held', async () => {
    const { clinicId, data } = await addClinic(tenVisits());
    await orchestrator.runBidirectionalSync({ clinicId });
    data.appointments = data.appointments.filter((a) => a.id !== 'm4');
    pims.failNext('getAppointment', pimsUnavailable('the PIMS did not answer'), 1);
    const rec = await orchestrator.runReconciliation({ clinicId });
    expect(rec.status).toBe('partial');
    const phase = phaseOf(rec, 'reconciliation');
    expect(phase).toMatchObject({ status: 'held', stats: { lookups: 1, lookupsFailed: 1, heldDeletes: 1, casesDeleted: 0 }, error: { code: 'lookup_failed' } });
    expect(phase.error!.message).toContain('pims_unavailable');
    expect((await caseRow(clinicId, 'm4')).deleted_at).toBeNull();
    // The next sync, with the PIMS answering, deletes it.
    const next = await orchestrator.runReconciliation({ clinicId });
    expect(next).toMatchObject({ status: 'completed', casesDeleted: 1 });
  });
});

describe('forward inbound: the mass-delete guard, cancellations and moves', () => {
  const tenAhead = () => Array.from({ length: 10 }, (_, i) => at(3 + (i % 5), `${String(8 + i).padStart(2, '0')}:00`, `w${i}`, { status: 'confirmed' }));
  const booked = async (clinicId: string) => (await q(`select coalesce(sum(booked_count), 0)::int as n from public.schedule_slots where clinic_id = $1`, [clinicId]))[0].n;

  it('holds an emptied calendar, applies a cancellation of 30% of the week at once, and removes gone visits with allowMassDelete', async () => {
    const { clinicId, data } = await addClinic(tenAhead());
    expect((await orchestrator.runInboundSync({ clinicId, forwardDays: 7 })).status).toBe('completed');
    expect(await liveSchedule(clinicId)).toHaveLength(10);
    expect(await booked(clinicId)).toBe(10);

    // The PIMS answers an empty calendar: the voice assistant must not see a free week.
    const all = data.appointments;
    data.appointments = [];
    const held = await orchestrator.runInboundSync({ clinicId, forwardDays: 7 });
    expect(held.status).toBe('partial');
    const phase = phaseOf(held, 'forward_inbound');
    expect(phase).toMatchObject({ status: 'held', stats: { heldDeletes: 10, appointmentsDeleted: 0, lookups: 10 }, error: { code: 'mass_delete_held' } });
    expect(held.errorMessage).toMatch(/Forward inbound held: Held: 10 of 10 live schedule appointments/);
    expect(await liveSchedule(clinicId)).toHaveLength(10);
    expect(await booked(clinicId)).toBe(10);

    // The calendar is back, and the clinic cancels three of its ten visits: applied at once.
    data.appointments = all;
    for (const id of ['w0', 'w1', 'w2']) data.appointments.find((a) => a.id === id)!.status = 'cancelled';
    const cancelled = await orchestrator.runInboundSync({ clinicId, forwardDays: 7 });
    expect(cancelled.status).toBe('completed');
    expect(phaseOf(cancelled, 'forward_inbound').stats).toMatchObject({ appointmentsDeleted: 3, heldDeletes: 0, lookups: 0 });
    expect(await liveSchedule(clinicId)).toEqual(['w3', 'w4', 'w5', 'w6', 'w7', 'w8', 'w9']);
    expect((await q(`select status from public.schedule_appointments where clinic_id = $1 and neo_appointment_id = 'w0'`, [clinicId]))[0].status).toBe('cancelled');
    expect(await booked(clinicId)).toBe(7);

    // Five of the seven left are gone from the PIMS: held, then removed with allowMassDelete.
    data.appointments = data.appointments.filter((a) => !['w3', 'w4', 'w5', 'w6', 'w7'].includes(a.id));
    expect(phaseOf(await orchestrator.runInboundSync({ clinicId, forwardDays: 7 }), 'forward_inbound')).toMatchObject({ status: 'held', stats: { heldDeletes: 5 } });
    const allowed = await orchestrator.runBidirectionalSync({ clinicId, forwardDays: 7, allowMassDelete: true });
    expect(allowed.status).toBe('completed');
    expect(phaseOf(allowed, 'forward_inbound').stats).toMatchObject({ appointmentsGone: 5, heldDeletes: 0 });
    expect(await liveSchedule(clinicId)).toEqual(['w8', 'w9']);
    expect(await booked(clinicId)).toBe(2);
  });

  it('a visit moved within the window is updated in its new slot; visits moved out of it leave the schedule without counting as deletes', async () => {
    const { clinicId, data } = await addClinic(tenAhead());
    await orchestrator.runInboundSync({ clinicId, forwardDays: 7 });
    move(data, 'w0', 4, '14:30');
    for (const id of ['w1', 'w2', 'w3', 'w4', 'w5']) move(data, id, 20, '09:00'); // past the window
    const audit = await orchestrator.runInboundSync({ clinicId, forwardDays: 7 });
    expect(audit.status).toBe('completed');
    expect(phaseOf(audit, 'forward_inbound').stats).toMatchObject({ appointmentsMovedOut: 5, appointmentsGone: 0, heldDeletes: 0, lookups: 5 });
    expect(await liveSchedule(clinicId)).toEqual(['w0', 'w6', 'w7', 'w8', 'w9']);
    const [w0] = await q(
      `select a.date::text as date, s.start_time from public.schedule_appointments a join public.schedule_slots s on s.id = a.slot_id where a.clinic_id = $1 and a.neo_appointment_id = 'w0'`,
      [clinicId],
    );
    expect(w0).toEqual({ date: addDays(TODAY, 4), start_time: '14:30:00' });
    expect(await booked(clinicId)).toBe(5);
  });
});

describe('unreadable records are not gone', () => {
  const visits = () => ['u1', 'u2', 'u3', 'u4'].map((id, i) => at(-1 - i, '10:00', id));

  it('a record the PIMS sent unreadable is never deleted nor looked up, and the sync ends partial saying how many', async () => {
    const { clinicId, data } = await addClinic(visits());
    await orchestrator.runBidirectionalSync({ clinicId });
    data.appointments = data.appointments.filter((a) => a.id !== 'u2');
    Object.assign(data, { skipped: 1, skippedIds: ['u2'] });
    const lookups = pims.calls.getAppointment;
    const rec = await orchestrator.runReconciliation({ clinicId });
    expect(rec.status).toBe('partial');
    expect(phaseOf(rec, 'reconciliation')).toMatchObject({ status: 'completed', stats: { skippedRecords: 1, casesDeleted: 0, lookups: 0 } });
    expect(rec.errorMessage).toMatch(/^1 record from the PIMS could not be read/);
    expect(pims.calls.getAppointment).toBe(lookups);
    expect((await caseRow(clinicId, 'u2')).deleted_at).toBeNull();
  });

  it('a record without an id holds every delete of the window', async () => {
    const { clinicId, data } = await addClinic(visits());
    await orchestrator.runBidirectionalSync({ clinicId });
    data.appointments = data.appointments.filter((a) => a.id !== 'u3');
    Object.assign(data, { skipped: 1, skippedIds: [] });
    const rec = await orchestrator.runReconciliation({ clinicId, allowMassDelete: true });
    expect(rec.status).toBe('partial');
    expect(phaseOf(rec, 'reconciliation')).toMatchObject({ status: 'held', stats: { heldDeletes: 1, casesDeleted: 0, skippedRecords: 1 }, error: { code: 'unreadable_records_held' } });
    expect(rec.errorMessage).toMatch(/^1 record from the PIMS could not be read/);
    expect((await caseRow(clinicId, 'u3')).deleted_at).toBeNull();
    // Once the calendar reads whole, the delete goes through.
    Object.assign(data, { skipped: 0, skippedIds: [] });
    expect(await orchestrator.runReconciliation({ clinicId })).toMatchObject({ status: 'completed', casesDeleted: 1 });
  });
});

describe('a consultation the PIMS does not have', () => {
  it('is recorded as missing and asked for again only when its appointment changes', async () => {
    const { clinicId, data } = await addClinic(
      [
        at(-1, '09:00', 'k1', { status: 'completed', consultationId: 'K-1', lastUpdatedAt: `${addDays(TODAY, -1)} 10:00:00` }),
        at(-2, '09:00', 'k2', { status: 'completed', consultationId: 'K-gone', lastUpdatedAt: `${addDays(TODAY, -2)} 10:00:00` }),
      ],
      { consultations: [fakeConsultation('K-1')] },
    );
    const start = pims.calls.getConsultation;
    expect((await orchestrator.runBidirectionalSync({ clinicId })).status).toBe('completed');
    expect(pims.calls.getConsultation - start).toBe(2);
    const k2 = await caseRow(clinicId, 'k2');
    expect(k2.metadata.pimsConsultation).toEqual({ id: 'K-gone', missing: true, checkedAt: new Date(NOW).toISOString(), sourceUpdatedAt: `${addDays(TODAY, -2)} 10:00:00` });

    const second = await orchestrator.runBidirectionalSync({ clinicId });
    expect(second.status).toBe('completed');
    expect(second.casesUpdated).toBe(0);
    expect(pims.calls.getConsultation - start).toBe(2); // not asked again
    expect(phaseOf(second, 'case_enrichment').stats).toMatchObject({ knownMissing: 1, notFound: 0 });

    // The PIMS now has it and bumps the appointment's last_updated_at: fetched once more, stored.
    data.consultations!.push(fakeConsultation('K-gone', { notes: 'Written late.' }));
    data.appointments.find((a) => a.id === 'k2')!.lastUpdatedAt = `${TODAY} 08:00:00`;
    expect((await orchestrator.runBidirectionalSync({ clinicId })).status).toBe('completed');
    expect(pims.calls.getConsultation - start).toBe(3);
    expect((await caseRow(clinicId, 'k2')).metadata.pimsConsultation).toMatchObject({ id: 'K-gone', notes: 'Written late.' });
    expect((await caseRow(clinicId, 'k2')).metadata.pimsConsultation.missing).toBeUndefined();
  });
});

describe('a cancel during the last phase', () => {
  it('ends the sync cancelled, not completed', async () => {
    const slow = createFakePimsProvider({ name: 'ezyvet', latencyMs: 10 });
    slow.setClinic({ username: 'desk-cancel', password: PASSWORD, appointments: [at(-1, '09:00', 'c1'), at(-2, '09:00', 'c2')] });
    const o = new SyncOrchestrator({ pool: db.pool, registry: createPimsRegistry([hooked(slow)]), credentialsKey: key, clock: fixedClock(NOW), progressIntervalMs: 20 });
    try {
      const { id: clinicId } = await o.clinics.create({
        name: 'Cancel clinic',
        timezone: TZ,
        pims: { provider: 'ezyvet', baseUrl: 'https://pims.example', partnerId: 'partner-1', clientId: 'desk-cancel', clientSecret: PASSWORD },
        schedule: HOURS,
      });
      const queued = await o.audits.createQueued({ clinicId, syncType: 'reconciliation', options: {}, triggeredBy: 'api' });
      // The cancel lands while the only (so the last) phase reads the calendar, after the sync's last check.
      beforeCalendarAnswer = async () => {
        await o.audits.requestCancel(queued.id);
      };
      const audit = await o.runQueuedSync(queued.id);
      expect(audit.status).toBe('cancelled');
      expect(audit.errorCode).toBe('cancelled');
      expect((await o.audits.findById(queued.id))!.status).toBe('cancelled');
    } finally {
      beforeCalendarAnswer = null;
      await o.close();
    }
  });
});
