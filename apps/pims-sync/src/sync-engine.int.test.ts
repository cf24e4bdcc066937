// The sync engine (SyncOrchestrator and its phases, CONTRACT section 3) on a real PostgreSQL with each
// PIMS's real client against its simulator: IDEXX Neo in Chromium, ezyVet over HTTP (CONTRACT section
// 10: the same rules for every PIMS). It lives here, where the app wires the providers in, because the
// domain library may not import an integration (not even in its tests); the domain's own tests run the
// same orchestrator with an in-memory provider.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncFixture, scenarioClinic, type SyncFixture } from '@pims/sync-data-access/testing';
import { addDays, fixedClock, instantOfLocal, todayIn } from '@pims/util';
import { PIMS_TARGETS } from './testing/pims-targets';

// Friday 2026-11-27 15:00 UTC: 10:00 in New York, Saturday 05:00 in Kiritimati (UTC+14),
// Friday 04:00 in Pago Pago (UTC-11).
const NOW = '2026-11-27T15:00:00Z';

describe.each(PIMS_TARGETS)('the sync engine on $name', (target) => {
  let f: SyncFixture;

  beforeAll(async () => {
    f = await createSyncFixture(NOW, target);
  });
  afterAll(async () => {
    await f?.close();
  });

  const q = async (sql: string, params: unknown[] = []) => (await f.db.pool.query(sql, params)).rows;

  describe.each(['Pacific/Kiritimati', 'Pacific/Pago_Pago'])('3.1 backward inbound in %s', (tz) => {
    it('makes exactly one case per visit of the window, edges included, with mapped statuses', async () => {
      const companyId = tz === 'Pacific/Kiritimati' ? '9101' : '9102';
      f.sim.setScenario({
        clinics: [
          scenarioClinic(companyId, tz, [
            { id: 'e1', day: -3, time: '00:15', status: 'finalized' },
            { id: 'e2', day: -3, time: '23:45', status: 'arrived' },
            { id: 'e3', day: -4, time: '23:45' }, // the day before the window
            { id: 'e4', day: 0, time: '23:45', status: 'not_arrived' },
            { id: 'e5', day: 1, time: '00:15', status: 'not_arrived' }, // tomorrow: not a case
            { id: 'e6', day: 0, time: '00:15', status: 'cancelled', cancelledReason: 'Owner ill' },
            { id: 'e7', day: -1, time: '10:00', status: 'no_show' },
            { id: 'e8', day: -2, time: '10:00', status: 'in_progress' },
            { id: 'e9', day: -2, time: '11:00', status: 'ready_to_pay' },
            { id: 'e10', day: -1, time: '12:00', status: 'confirmed' },
            { id: 'blk', day: -1, time: '13:00', isBlock: true, title: 'Lunch' },
            { id: 'ros', day: -1, time: '08:00', isRoster: true, title: 'Dr. Rivera on duty' },
          ]),
        ],
      });
      const clinicId = await f.addClinic(companyId, tz);
      const audit = await f.orchestrator.runBidirectionalSync({
        clinicId,
        backwardDays: 3,
        forwardDays: 1,
        reconciliationDays: 3,
      });
      expect(audit.status).toBe('completed');
      expect(audit.phases.map((p) => [p.name, p.status])).toEqual([
        ['backward_inbound', 'completed'],
        ['case_enrichment', 'completed'],
        ['forward_inbound', 'completed'],
        ['reconciliation', 'completed'],
      ]);
      const rows = await q(
        `select external_id, source, status, scheduled_at, deleted_at, metadata -> 'pimsAppointment' ->> 'status' as pims_status
       from public.cases where clinic_id = $1 order by external_id`,
        [clinicId],
      );
      const byId = Object.fromEntries(rows.map((r) => [r.external_id, r]));
      expect(Object.keys(byId).sort()).toEqual(['e1', 'e10', 'e2', 'e4', 'e6', 'e7', 'e8', 'e9']);
      expect(Object.fromEntries(rows.map((r) => [r.external_id, r.status]))).toEqual({
        e1: 'completed',
        e2: 'ongoing',
        e4: 'draft',
        e6: 'reviewed',
        e7: 'reviewed',
        e8: 'ongoing',
        e9: 'completed',
        e10: 'draft',
      });
      expect(byId.e6.deleted_at).toBeNull();
      expect(byId.e6.pims_status).toBe('cancelled');
      expect(byId.e7.pims_status).toBe('no_show');
      expect(rows.every((r) => r.source === target.name)).toBe(true);
      const today = todayIn(tz, fixedClock(NOW));
      expect(byId.e1.scheduled_at.toISOString()).toBe(
        instantOfLocal(addDays(today, -3), '00:15', tz)!.toISOString(),
      );
      expect(byId.e4.scheduled_at.toISOString()).toBe(instantOfLocal(today, '23:45', tz)!.toISOString());
      expect(audit.casesCreated).toBe(8);
    });
  });

  describe('3.2 case enrichment', () => {
    it('stores consultations with bounded concurrency and refetches only what changed', async () => {
      const appts = Array.from({ length: 12 }, (_, i) => ({
        id: `k${i}`,
        day: -1 - (i % 5),
        time: `${String(9 + (i % 8)).padStart(2, '0')}:00`,
        consultationId: `K-${i}`,
      }));
      const consultations = appts.map((a, i) => ({
        id: a.consultationId,
        notes: `S: vomiting ${i}. O: T 38.9. A: gastritis. P: bland diet.`,
        dischargeSummary: `Feed a bland diet for 3 days (${i}).`,
        diagnoses: ['Gastritis'],
        lines: [{ productService: 'Maropitant injection', quantity: 1, isDeclined: false }],
        updatedAt: { day: -1, time: '18:00' },
      }));
      f.sim.setScenario({
        clinics: [
          scenarioClinic(
            '9201',
            'America/New_York',
            [...appts, { id: 'k-none', day: -1, time: '17:00' }],
            consultations,
          ),
        ],
      });
      const clinicId = await f.addClinic('9201', 'America/New_York');
      f.sim.setFaults({ latencyMs: 40 });
      f.metrics.maxInFlight = 0;
      const before = f.metrics.consultations;
      try {
        const audit = await f.orchestrator.runBidirectionalSync({ clinicId, parallelBatchSize: 3 });
        expect(audit.status).toBe('completed');
        expect(f.metrics.consultations - before).toBe(12);
        expect(f.metrics.maxInFlight).toBeLessThanOrEqual(3);
        expect(f.metrics.maxInFlight).toBeGreaterThan(1);
      } finally {
        f.sim.setFaults({});
      }
      const rows = await q(
        `select external_id, metadata -> 'pimsConsultation' as k from public.cases where clinic_id = $1 order by external_id`,
        [clinicId],
      );
      const k3 = rows.find((r) => r.external_id === 'k3')!.k;
      expect(k3).toMatchObject({
        id: 'K-3',
        notes: expect.stringContaining('vomiting 3'),
        dischargeSummary: 'Feed a bland diet for 3 days (3).',
        diagnoses: ['Gastritis'],
        products: [{ name: 'Maropitant injection', quantity: 1, isDeclined: false }],
        status: 'Completed',
      });
      expect(typeof k3.fetchedAt).toBe('string');
      expect(rows.find((r) => r.external_id === 'k-none')!.k).toBeNull();

      // The PIMS changes one consultation: only that one is fetched again.
      f.sim.updateConsultation('K-3', { companyId: '9201', notes: 'S: better. P: recheck in a week.' });
      const mark = f.metrics.consultations;
      const again = await f.orchestrator.runCaseSync({ clinicId });
      expect(again.status).toBe('completed');
      expect(f.metrics.consultations - mark).toBe(1);
      const [changed] = await q(
        `select metadata -> 'pimsConsultation' ->> 'notes' as notes from public.cases where clinic_id = $1 and external_id = 'k3'`,
        [clinicId],
      );
      expect(changed.notes).toBe('S: better. P: recheck in a week.');
    });
  });

  describe('3.3 forward inbound', () => {
    it('links appointments to slots, counts bookings, and frees a slot when the PIMS cancels', async () => {
      // Today is Friday 2026-11-27 in New York; day 3 is Monday 2026-11-30.
      f.sim.setScenario({
        clinics: [
          scenarioClinic('9301', 'America/New_York', [
            { id: 'f1', day: 3, time: '09:00', status: 'confirmed' },
            { id: 'f2', day: 3, time: '09:10', status: 'not_arrived' },
            { id: 'f3', day: 3, time: '09:30', status: 'cancelled' },
            { id: 'f4', day: 3, time: '19:00', status: 'not_arrived' }, // outside business hours
            { id: 'f5', day: 3, time: '12:00', isBlock: true, title: 'Lunch' },
            { id: 'f6', day: 4, time: '10:00', status: 'no_show' },
          ]),
        ],
      });
      const clinicId = await f.addClinic('9301', 'America/New_York', {
        openTime: '08:00',
        closeTime: '18:00',
        daysOfWeek: [1, 2, 3, 4, 5],
        slotDurationMinutes: 30,
        capacity: 2,
      });
      const audit = await f.orchestrator.runInboundSync({ clinicId, forwardDays: 7 });
      expect(audit.status).toBe('completed');
      const appts = async () =>
        Object.fromEntries(
          (
            await q(
              `select a.neo_appointment_id, a.status, a.deleted_at, s.start_time as slot_start, s.date::text as slot_date
             from public.schedule_appointments a left join public.schedule_slots s on s.id = a.slot_id where a.clinic_id = $1`,
              [clinicId],
            )
          ).map((r) => [r.neo_appointment_id, r]),
        );
      const slot = async (date: string, time: string) =>
        (
          await q(
            `select booked_count, capacity from public.schedule_slots where clinic_id = $1 and date = $2 and start_time = $3`,
            [clinicId, date, time],
          )
        )[0];
      let a = await appts();
      expect(Object.keys(a).sort()).toEqual(['f1', 'f2', 'f4']);
      expect(a.f1).toMatchObject({ slot_date: '2026-11-30', slot_start: '09:00:00', deleted_at: null });
      expect(a.f2.slot_start).toBe('09:00:00');
      expect(a.f4.slot_start).toBeNull();
      expect(await slot('2026-11-30', '09:00')).toEqual({ booked_count: 2, capacity: 2 });
      expect((await slot('2026-11-30', '09:30')).booked_count).toBe(0);
      // Slots for every business-hours interval of today .. today+7, today's past hours included.
      const [{ n, days }] = await q(
        `select count(*)::int as n, array_agg(distinct date::text order by date::text) as days from public.schedule_slots where clinic_id = $1`,
        [clinicId],
      );
      expect(days).toEqual([
        '2026-11-27',
        '2026-11-30',
        '2026-12-01',
        '2026-12-02',
        '2026-12-03',
        '2026-12-04',
      ]);
      expect(n).toBe(6 * 20);
      expect(await slot('2026-11-27', '08:00')).toBeTruthy();

      // The PIMS cancels f2: its row is soft-deleted and the slot freed.
      f.sim.updateAppointment('f2', { companyId: '9301', status: 'cancelled' });
      await f.orchestrator.runInboundSync({ clinicId, forwardDays: 7 });
      a = await appts();
      expect(a.f2.deleted_at).not.toBeNull();
      expect(a.f2.status).toBe('cancelled');
      expect((await slot('2026-11-30', '09:00')).booked_count).toBe(1);
      // f1 disappears from the PIMS.
      f.sim.removeAppointment('f1', '9301');
      await f.orchestrator.runInboundSync({ clinicId, forwardDays: 7 });
      a = await appts();
      expect(a.f1.deleted_at).not.toBeNull();
      expect((await slot('2026-11-30', '09:00')).booked_count).toBe(0);
      // Every slot's count equals its live linked appointments.
      const mismatched = await q(
        `select s.id from public.schedule_slots s where s.clinic_id = $1 and s.booked_count <>
         (select count(*) from public.schedule_appointments a where a.slot_id = s.id and a.deleted_at is null)`,
        [clinicId],
      );
      expect(mismatched).toEqual([]);
    });

    it('builds slots across the November DST change in America/New_York', async () => {
      f.setClock('2026-10-30T16:00:00Z'); // Friday 12:00 EDT
      try {
        f.sim.setScenario({
          clinics: [
            scenarioClinic('9302', 'America/New_York', [
              { id: 'd1', day: 2, time: '09:00', status: 'confirmed' },
            ]),
          ],
        });
        const clinicId = await f.addClinic('9302', 'America/New_York', {
          openTime: '08:00',
          closeTime: '18:00',
          daysOfWeek: [1, 2, 3, 4, 5, 6, 7],
          slotDurationMinutes: 30,
          capacity: 1,
        });
        const audit = await f.orchestrator.runInboundSync({ clinicId, forwardDays: 3 });
        expect(audit.status).toBe('completed');
        const rows = await q(
          `select date::text as date, count(*)::int as n, min(start_at) as first, max(end_at) as last
         from public.schedule_slots where clinic_id = $1 group by date order by date`,
          [clinicId],
        );
        expect(rows.map((r) => [r.date, r.n, r.first.toISOString(), r.last.toISOString()])).toEqual([
          ['2026-10-30', 20, '2026-10-30T12:00:00.000Z', '2026-10-30T22:00:00.000Z'],
          ['2026-10-31', 20, '2026-10-31T12:00:00.000Z', '2026-10-31T22:00:00.000Z'],
          ['2026-11-01', 20, '2026-11-01T13:00:00.000Z', '2026-11-01T23:00:00.000Z'], // EST from today on
          ['2026-11-02', 20, '2026-11-02T13:00:00.000Z', '2026-11-02T23:00:00.000Z'],
        ]);
        const [appt] = await q(
          `select a.start_at, s.start_at as slot_at, s.booked_count from public.schedule_appointments a join public.schedule_slots s on s.id = a.slot_id where a.clinic_id = $1`,
          [clinicId],
        );
        expect(appt.start_at.toISOString()).toBe('2026-11-01T14:00:00.000Z');
        expect(appt.slot_at.toISOString()).toBe('2026-11-01T14:00:00.000Z');
        expect(appt.booked_count).toBe(1);
      } finally {
        f.setClock(NOW);
      }
    });
  });

  describe('3.4 reconciliation', () => {
    const tenVisits = () =>
      Array.from({ length: 10 }, (_, i) => ({
        id: `r${i}`,
        day: -1 - (i % 5),
        time: `${String(9 + i).padStart(2, '0')}:00`,
      }));

    it('soft-deletes a removed visit, updates a changed status, restores a visit that came back', async () => {
      f.sim.setScenario({ clinics: [scenarioClinic('9401', 'America/New_York', tenVisits())] });
      const clinicId = await f.addClinic('9401', 'America/New_York');
      expect((await f.orchestrator.runBidirectionalSync({ clinicId })).status).toBe('completed');
      f.sim.removeAppointment('r1', '9401');
      f.sim.updateAppointment('r2', { companyId: '9401', status: 'no_show' });
      const rec = await f.orchestrator.runReconciliation({ clinicId });
      expect(rec.status).toBe('completed');
      expect(rec.casesDeleted).toBe(1);
      expect(rec.appointmentsFound).toBe(9); // the visits of the window it compared against
      const row = async (id: string) =>
        (
          await q(
            `select status, deleted_at, metadata from public.cases where clinic_id = $1 and external_id = $2`,
            [clinicId, id],
          )
        )[0];
      const r1 = await row('r1');
      expect(r1.status).toBe('reviewed');
      expect(r1.deleted_at).not.toBeNull();
      expect(r1.metadata.reconciliation).toMatchObject({
        reason: 'removed_from_pims',
        syncId: rec.id,
        deletedAt: expect.any(String),
      });
      expect((await row('r2')).status).toBe('reviewed');
      expect((await row('r2')).metadata.pimsAppointment.status).toBe('no_show');
      expect((await row('r3')).deleted_at).toBeNull();

      // r1 comes back (e.g. the deletion in the PIMS was undone)
      f.sim.setScenario({ clinics: [scenarioClinic('9401', 'America/New_York', tenVisits())] });
      const back = await f.orchestrator.runReconciliation({ clinicId });
      expect(back.status).toBe('completed');
      const restored = await row('r1');
      expect(restored.deleted_at).toBeNull();
      expect(restored.status).toBe('completed');
      expect(restored.metadata.reconciliation.restoredAt).toEqual(expect.any(String));
    });

    it('holds a mass delete, and applies it with allowMassDelete', async () => {
      f.sim.setScenario({ clinics: [scenarioClinic('9402', 'America/New_York', tenVisits())] });
      const clinicId = await f.addClinic('9402', 'America/New_York');
      await f.orchestrator.runBidirectionalSync({ clinicId });
      f.sim.setScenario({ clinics: [scenarioClinic('9402', 'America/New_York', tenVisits().slice(5))] }); // 5 of 10 gone
      const held = await f.orchestrator.runBidirectionalSync({ clinicId });
      expect(held.status).toBe('partial');
      const phase = held.phases.find((p) => p.name === 'reconciliation')!;
      expect(phase.status).toBe('held');
      expect(phase.stats.heldDeletes).toBe(5);
      expect(held.errorMessage).toMatch(/Reconciliation held/);
      const [{ n }] = await q(
        `select count(*)::int as n from public.cases where clinic_id = $1 and deleted_at is not null`,
        [clinicId],
      );
      expect(n).toBe(0);

      const allowed = await f.orchestrator.runReconciliation({ clinicId, allowMassDelete: true });
      expect(allowed.status).toBe('completed');
      expect(allowed.casesDeleted).toBe(5);
      const [{ m }] = await q(
        `select count(*)::int as m from public.cases where clinic_id = $1 and deleted_at is not null`,
        [clinicId],
      );
      expect(m).toBe(5);
    });
  });

  describe('sync truth: missing from a window is not gone', () => {
    const NY = 'America/New_York';
    const HOURS = {
      openTime: '08:00',
      closeTime: '18:00',
      daysOfWeek: [1, 2, 3, 4, 5],
      slotDurationMinutes: 30,
      capacity: 2,
    };
    const today = todayIn(NY, fixedClock(NOW)); // Friday 2026-11-27: last Tuesday is day -3, next Friday day +7
    const at = (day: number, time: string) => instantOfLocal(addDays(today, day), time, NY)!.toISOString();
    const caseOf = async (clinicId: string, id: string) =>
      (
        await q(
          `select id, status, scheduled_at, deleted_at, metadata from public.cases where clinic_id = $1 and external_id = $2`,
          [clinicId, id],
        )
      )[0];
    const liveRows = async (clinicId: string) =>
      (
        await q(
          `select neo_appointment_id as id from public.schedule_appointments where clinic_id = $1 and deleted_at is null order by 1`,
          [clinicId],
        )
      ).map((r) => r.id);
    // The simulator's count of look-ups by id, where it counts them apart (Neo's getAppointment); else the phase's own count is the check.
    const lookups = (companyId: string) =>
      target.lookupCounter ? (f.sim.stats().byCompany[companyId]?.requests[target.lookupCounter] ?? 0) : null;

    it('follows a visit moved into next week and one moved three weeks back; deletes only the visit the PIMS no longer has', async () => {
      const visits = () =>
        Array.from({ length: 10 }, (_, i) => ({
          id: `mv${i}`,
          day: -1 - (i % 5),
          time: `${String(8 + i).padStart(2, '0')}:00`,
          status: 'confirmed',
        }));
      f.sim.setScenario({ clinics: [scenarioClinic('9901', NY, visits())] });
      const clinicId = await f.addClinic('9901', NY, HOURS);
      expect((await f.orchestrator.runBidirectionalSync({ clinicId })).status).toBe('completed');
      const before = { fwd: await caseOf(clinicId, 'mv2'), back: await caseOf(clinicId, 'mv1') };
      expect(before.fwd.scheduled_at.toISOString()).toBe(at(-3, '10:00'));

      f.sim.updateAppointment('mv2', { companyId: '9901', day: 7, time: '11:30', status: 'not_arrived' }); // last Tuesday -> next Friday
      f.sim.updateAppointment('mv1', { companyId: '9901', day: -21, time: '09:15', status: 'finalized' }); // three weeks back, and seen
      const mark = lookups('9901');
      const rec = await f.orchestrator.runReconciliation({ clinicId });
      expect(rec.status).toBe('completed');
      expect(rec.casesDeleted).toBe(0);
      expect(rec.phases[0].stats).toMatchObject({ casesMoved: 2, lookups: 2, heldDeletes: 0 });
      if (mark !== null) expect(lookups('9901')! - mark).toBe(2);
      const fwd = await caseOf(clinicId, 'mv2');
      expect(fwd).toMatchObject({ id: before.fwd.id, status: 'draft', deleted_at: null });
      expect(fwd.scheduled_at.toISOString()).toBe(at(7, '11:30'));
      expect(fwd.metadata.pimsAppointment).toMatchObject({
        date: addDays(today, 7),
        startTime: '11:30:00',
        status: 'scheduled',
      });
      const back = await caseOf(clinicId, 'mv1');
      expect(back).toMatchObject({ id: before.back.id, status: 'completed', deleted_at: null });
      expect(back.scheduled_at.toISOString()).toBe(at(-21, '09:15'));

      // A full sync: the moved-forward visit is on next week's schedule, nothing is deleted.
      const full = await f.orchestrator.runBidirectionalSync({ clinicId });
      expect(full.status).toBe('completed');
      expect(full.casesDeleted).toBe(0);
      expect(await liveRows(clinicId)).toEqual(['mv2']);

      // A visit the PIMS no longer has is still soft-deleted.
      f.sim.removeAppointment('mv9', '9901');
      const gone = await f.orchestrator.runReconciliation({ clinicId });
      expect(gone).toMatchObject({ status: 'completed', casesDeleted: 1 });
      expect((await caseOf(clinicId, 'mv9')).metadata.reconciliation).toMatchObject({
        reason: 'removed_from_pims',
        syncId: gone.id,
      });
      expect((await caseOf(clinicId, 'mv2')).deleted_at).toBeNull();
      expect((await caseOf(clinicId, 'mv1')).deleted_at).toBeNull();
    });

    it('holds forward inbound when the PIMS answers an empty calendar, applies a 30% cancellation at once, removes with allowMassDelete', async () => {
      const ahead = Array.from({ length: 10 }, (_, i) => ({
        id: `em${i}`,
        day: 3 + (i % 5),
        time: `${String(8 + i).padStart(2, '0')}:00`,
        status: 'confirmed',
      }));
      f.sim.setScenario({ clinics: [scenarioClinic('9902', NY, ahead)] });
      const clinicId = await f.addClinic('9902', NY, HOURS);
      expect((await f.orchestrator.runInboundSync({ clinicId, forwardDays: 7 })).status).toBe('completed');
      const booked = async () =>
        (
          await q(`select sum(booked_count)::int as n from public.schedule_slots where clinic_id = $1`, [
            clinicId,
          ])
        )[0].n;
      expect(await booked()).toBe(10);

      for (const id of ['em0', 'em1', 'em2'])
        f.sim.updateAppointment(id, { companyId: '9902', status: 'cancelled' });
      const cancelled = await f.orchestrator.runInboundSync({ clinicId, forwardDays: 7 });
      expect(cancelled.status).toBe('completed');
      expect(cancelled.phases[0].stats).toMatchObject({ appointmentsDeleted: 3, heldDeletes: 0 });
      expect(await booked()).toBe(7);

      f.sim.setScenario({ clinics: [scenarioClinic('9902', NY, [])] }); // an empty calendar
      const held = await f.orchestrator.runInboundSync({ clinicId, forwardDays: 7 });
      expect(held.status).toBe('partial');
      expect(held.phases[0]).toMatchObject({
        status: 'held',
        stats: { heldDeletes: 7, appointmentsDeleted: 0 },
        error: { code: 'mass_delete_held' },
      });
      expect(await liveRows(clinicId)).toHaveLength(7);
      expect(await booked()).toBe(7);

      const allowed = await f.orchestrator.runBidirectionalSync({
        clinicId,
        forwardDays: 7,
        allowMassDelete: true,
      });
      expect(allowed.status).toBe('completed');
      expect(await liveRows(clinicId)).toEqual([]);
      expect(await booked()).toBe(0);
    });

    it('with malformedIds on two past and two future visits: nothing deleted, 4 skipped records, partial naming 4', async () => {
      const appts = [
        ...Array.from({ length: 6 }, (_, i) => ({ id: `bp${i}`, day: -1 - i, time: '10:00' })),
        ...Array.from({ length: 6 }, (_, i) => ({
          id: `bf${i}`,
          day: 2 + i,
          time: '10:00',
          status: 'confirmed',
        })),
      ];
      f.sim.setScenario({ clinics: [scenarioClinic('9903', NY, appts)] });
      const clinicId = await f.addClinic('9903', NY, HOURS);
      expect((await f.orchestrator.runBidirectionalSync({ clinicId, forwardDays: 7 })).status).toBe(
        'completed',
      );
      const liveBefore = await liveRows(clinicId);
      expect(liveBefore.length).toBeGreaterThan(0);
      f.sim.setFaults({ malformedIds: ['bp1', 'bp2', 'bf1', 'bf2'] });
      let audit;
      try {
        audit = await f.orchestrator.runBidirectionalSync({ clinicId, forwardDays: 7 });
      } finally {
        f.sim.setFaults({});
      }
      expect(audit.status).toBe('partial');
      expect(audit.errorMessage).toMatch(/^4 records from the PIMS could not be read/);
      const stats = Object.fromEntries(audit.phases.map((p) => [p.name, p.stats]));
      expect(stats.backward_inbound.skippedRecords).toBe(2);
      expect(stats.forward_inbound.skippedRecords).toBe(2);
      expect(stats.reconciliation.skippedRecords).toBe(2);
      expect(audit.phases.every((p) => p.status === 'completed')).toBe(true);
      expect(audit.casesDeleted).toBe(0);
      expect(
        await q(`select external_id from public.cases where clinic_id = $1 and deleted_at is not null`, [
          clinicId,
        ]),
      ).toEqual([]);
      expect(await liveRows(clinicId)).toEqual(liveBefore);
    });

    it('asks the PIMS for a consultation it does not have once across two unchanged syncs', async () => {
      f.sim.setScenario({
        clinics: [
          scenarioClinic(
            '9904',
            NY,
            [
              { id: 'kn1', day: -1, time: '09:00', consultationId: 'K-kn1' },
              { id: 'kn2', day: -2, time: '09:00', consultationId: 'K-none' }, // the PIMS has no such consultation
            ],
            [{ id: 'K-kn1', notes: 'SOAP', dischargeSummary: 'Rest.' }],
          ),
        ],
      });
      const clinicId = await f.addClinic('9904', NY);
      const requests = () => f.sim.stats().byCompany['9904'].requests[target.consultationCounter] ?? 0;
      expect((await f.orchestrator.runBidirectionalSync({ clinicId })).status).toBe('completed');
      const asked = requests();
      expect(asked).toBeGreaterThanOrEqual(1);
      expect(f.metrics.consultations).toBeGreaterThanOrEqual(2);
      expect((await caseOf(clinicId, 'kn2')).metadata.pimsConsultation).toMatchObject({
        id: 'K-none',
        missing: true,
        checkedAt: expect.any(String),
      });
      const second = await f.orchestrator.runBidirectionalSync({ clinicId });
      expect(second.status).toBe('completed');
      expect(second.casesUpdated).toBe(0);
      expect(requests()).toBe(asked);
    });
  });

  describe('3.5 phases are independent', () => {
    it('with consultations failing: partial, enrichment failed, the other phases completed with their data', async () => {
      f.sim.setScenario({
        clinics: [
          scenarioClinic(
            '9501',
            'America/New_York',
            [
              { id: 'p1', day: -1, time: '09:00', consultationId: 'K-p1' },
              { id: 'p2', day: 3, time: '10:00', status: 'confirmed' },
            ],
            [{ id: 'K-p1', notes: 'n', dischargeSummary: 'd' }],
          ),
        ],
      });
      const clinicId = await f.addClinic('9501', 'America/New_York', {
        openTime: '08:00',
        closeTime: '18:00',
        daysOfWeek: [1, 2, 3, 4, 5],
        slotDurationMinutes: 30,
        capacity: 2,
      });
      f.sim.setFaults({ failPaths: [target.consultationPath] });
      try {
        const audit = await f.orchestrator.runBidirectionalSync({ clinicId });
        expect(audit.status).toBe('partial');
        expect(Object.fromEntries(audit.phases.map((p) => [p.name, p.status]))).toEqual({
          backward_inbound: 'completed',
          case_enrichment: 'failed',
          forward_inbound: 'completed',
          reconciliation: 'completed',
        });
        const enrichment = audit.phases.find((p) => p.name === 'case_enrichment')!;
        expect(enrichment.error).toMatchObject({ code: 'pims_unavailable' });
        expect(audit.errorMessage).toMatch(
          /Case enrichment failed: 1 of 1 consultations could not be fetched/,
        );
        expect(await q(`select external_id from public.cases where clinic_id = $1`, [clinicId])).toEqual([
          { external_id: 'p1' },
        ]);
        expect(
          await q(`select neo_appointment_id from public.schedule_appointments where clinic_id = $1`, [
            clinicId,
          ]),
        ).toEqual([{ neo_appointment_id: 'p2' }]);
      } finally {
        f.sim.setFaults({});
      }
    });
  });

  describe('3.6 idempotent', () => {
    it('a second run against an unchanged PIMS writes no row and fetches no consultation', async () => {
      const appts = [
        ...Array.from({ length: 6 }, (_, i) => ({
          id: `i${i}`,
          day: -i,
          time: '09:00',
          consultationId: `K-i${i}`,
        })),
        { id: 'ic', day: -2, time: '11:00', status: 'cancelled' },
        ...Array.from({ length: 6 }, (_, i) => ({
          id: `j${i}`,
          day: i + 1,
          time: '10:00',
          status: 'confirmed',
        })),
      ];
      const ks = appts
        .filter((a) => 'consultationId' in a)
        .map((a) => ({
          id: (a as { consultationId: string }).consultationId,
          notes: 'SOAP',
          dischargeSummary: 'Rest.',
        }));
      f.sim.setScenario({ clinics: [scenarioClinic('9601', 'America/New_York', appts, ks)] });
      const clinicId = await f.addClinic('9601', 'America/New_York');
      expect((await f.orchestrator.runBidirectionalSync({ clinicId })).status).toBe('completed');
      const snapshot = async () =>
        q(
          `select 'cases' as t, id::text, xmin::text, updated_at from public.cases where clinic_id = $1
         union all select 'appointments', id::text, xmin::text, updated_at from public.schedule_appointments where clinic_id = $1
         union all select 'slots', id::text, xmin::text, updated_at from public.schedule_slots where clinic_id = $1
         order by 1, 2`,
          [clinicId],
        );
      const first = await snapshot();
      expect(first.length).toBeGreaterThan(20);
      const consultationReads = () =>
        f.sim.stats().byCompany['9601'].requests[target.consultationCounter] ?? 0;
      const requestsBefore = consultationReads();
      const loginsBefore = f.sim.stats().byCompany['9601'].logins;
      const second = await f.orchestrator.runBidirectionalSync({ clinicId });
      expect(f.sim.stats().byCompany['9601'].logins).toBe(loginsBefore); // the logged-in session was kept
      expect(second.status).toBe('completed');
      expect(await snapshot()).toEqual(first);
      expect(consultationReads()).toBe(requestsBefore);
      expect(second.casesCreated).toBe(0);
      expect(second.casesUpdated).toBe(0);
    });
  });

  describe('3.7 one at a time per clinic', () => {
    it('refuses a second concurrent run with sync_in_progress', async () => {
      f.sim.setScenario({
        clinics: [scenarioClinic('9701', 'America/New_York', [{ id: 'o1', day: -1, time: '09:00' }])],
      });
      const clinicId = await f.addClinic('9701', 'America/New_York');
      const results = await Promise.allSettled([
        f.orchestrator.runBidirectionalSync({ clinicId }),
        f.orchestrator.runBidirectionalSync({ clinicId }),
      ]);
      const ok = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(ok).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(refused[0].reason).toMatchObject({ code: 'sync_in_progress', status: 409 });
    });

    it('refuses to run while another process holds the clinic lock, leaving the sync queued', async () => {
      f.sim.setScenario({
        clinics: [scenarioClinic('9702', 'America/New_York', [{ id: 'o1', day: -1, time: '09:00' }])],
      });
      const clinicId = await f.addClinic('9702', 'America/New_York');
      const other = new pg.Client({ connectionString: f.db.connectionString });
      await other.connect();
      try {
        await other.query(`select pg_advisory_lock(hashtextextended('pims-sync:clinic:' || $1, 0))`, [
          clinicId,
        ]);
        const audit = await f.orchestrator.audits.createQueued({
          clinicId,
          syncType: 'full',
          options: {},
          triggeredBy: 'api',
        });
        await expect(f.orchestrator.runQueuedSync(audit.id)).rejects.toMatchObject({
          code: 'sync_in_progress',
        });
        expect((await f.orchestrator.audits.findById(audit.id))!.status).toBe('queued');
        await other.query(`select pg_advisory_unlock_all()`);
        expect((await f.orchestrator.runQueuedSync(audit.id)).status).toBe('completed');
      } finally {
        await other.end();
      }
    });
  });

  describe('cancellation', () => {
    it('abort during enrichment: cancelled, later phases skipped, no half-written case', async () => {
      // More consultations than one read of ezyVet's takes (its provider reads up to 100 at once), so
      // the abort lands while some are still to be asked for on every PIMS.
      const VISITS = 250;
      const appts = Array.from({ length: VISITS }, (_, i) => ({
        id: `c${i}`,
        day: -1 - (i % 7),
        time: `${String(8 + (i % 9)).padStart(2, '0')}:30`,
        consultationId: `K-c${i}`,
      }));
      const ks = appts.map((a) => ({
        id: a.consultationId,
        notes: `notes ${a.id}`,
        dischargeSummary: `summary ${a.id}`,
        diagnoses: ['Otitis externa'],
        lines: [{ productService: 'Ear cleaner', quantity: 1 }],
      }));
      f.sim.setScenario({ clinics: [scenarioClinic('9801', 'America/New_York', appts, ks)] });
      const clinicId = await f.addClinic('9801', 'America/New_York');
      const controller = new AbortController();
      f.sim.setFaults({ latencyMs: 150 });
      let audit;
      try {
        audit = await f.orchestrator.runBidirectionalSync({
          clinicId,
          parallelBatchSize: 2,
          signal: controller.signal,
          onProgress: (p) => {
            if (p.phase === 'case_enrichment' && p.processedItems - VISITS >= 3) controller.abort();
          },
        });
      } finally {
        f.sim.setFaults({});
      }
      expect(audit.status).toBe('cancelled');
      expect(Object.fromEntries(audit.phases.map((p) => [p.name, p.status]))).toEqual({
        backward_inbound: 'completed',
        case_enrichment: 'cancelled',
        forward_inbound: 'skipped',
        reconciliation: 'skipped',
      });
      const rows = await q(
        `select metadata -> 'pimsConsultation' as k from public.cases where clinic_id = $1`,
        [clinicId],
      );
      const written = rows.filter((r) => r.k);
      expect(written.length).toBeGreaterThan(0);
      expect(written.length).toBeLessThan(VISITS);
      for (const { k } of written) {
        expect(k).toEqual(
          expect.objectContaining({
            id: expect.any(String),
            notes: expect.any(String),
            dischargeSummary: expect.any(String),
            diagnoses: ['Otitis externa'],
            fetchedAt: expect.any(String),
          }),
        );
      }
      expect((await f.orchestrator.audits.findById(audit.id))!.status).toBe('cancelled');
    });

    it('a cancel requested through the audit row stops the run at the next safe point', async () => {
      const appts = Array.from({ length: 10 }, (_, i) => ({
        id: `x${i}`,
        day: -1 - (i % 5),
        time: '09:00',
        consultationId: `K-x${i}`,
      }));
      f.sim.setScenario({
        clinics: [
          scenarioClinic(
            '9802',
            'America/New_York',
            appts,
            appts.map((a) => ({ id: a.consultationId, notes: 'n' })),
          ),
        ],
      });
      const clinicId = await f.addClinic('9802', 'America/New_York');
      const queued = await f.orchestrator.audits.createQueued({
        clinicId,
        syncType: 'full',
        options: { parallelBatchSize: 1 },
        triggeredBy: 'api',
      });
      f.sim.setFaults({ latencyMs: 150 });
      try {
        const running = f.orchestrator.runQueuedSync(queued.id, {
          onProgress: (p) => {
            if (p.phase === 'case_enrichment' && p.processedItems - 10 >= 1)
              void f.orchestrator.audits.requestCancel(queued.id).catch(() => undefined);
          },
        });
        const audit = await running;
        expect(audit.status).toBe('cancelled');
        expect(audit.completedAt).not.toBeNull();
      } finally {
        f.sim.setFaults({});
      }
    });
  });
});
