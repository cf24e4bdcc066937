// Write-back end to end in one process, for every PIMS: the booking API, the write-back queue's workers
// (pg-boss on a real PostgreSQL) and the real client (IDEXX Neo in Chromium, ezyVet over HTTP) against
// its simulator. What a booking becomes in the PIMS is read from the simulator itself
// (GET /__sim/clinics/:companyId/appointments).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type PgBoss from 'pg-boss';
import { createTestDatabase, type TestDatabase } from '@pims/db/testing';
import type { PimsProvider } from '@pims/pims';
import type { SimAppointment, Simulator } from '@pims/ezyvet-sim';
import { addDays, generateEncryptionKey, parseEncryptionKey, systemClock, todayIn } from '@pims/util';
import { createHttpApp, createServices, type Services } from '../composition';
import { captureLogger, TEST_API_KEY, TEST_QUEUE_SETTINGS } from '../testing/harness';
import { scenarioClinic, SIM_PASSWORD, waitFor } from '../testing/e2e';
import { PIMS_TARGETS } from '../testing/pims-targets';
import { startBoss } from './boss';

describe.each(PIMS_TARGETS)('write-back into $name', (target) => {
  const W = target.writes;
  const COMPANY = '8301';
  const TZ = 'America/New_York';
  const today = todayIn(TZ, systemClock);
  const day = (n: number) => addDays(today, n);

  let db: TestDatabase;
  let sim: Simulator;
  let boss: PgBoss;
  let provider: PimsProvider;
  let services: Services;
  let app: ReturnType<typeof createHttpApp>;
  let clinicId: string;
  let logs: string[];

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await app.request(path, {
      method,
      headers: {
        'x-api-key': TEST_API_KEY,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json() };
  }

  const q = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows;
  const slotAt = async (date: string, time: string) =>
    (
      await q(`select id from public.schedule_slots where clinic_id = $1 and date = $2 and start_time = $3`, [
        clinicId,
        date,
        `${time}:00`,
      ])
    )[0].id as string;
  const seats = async (slotId: string) => {
    const [s] = await q(`select date from public.schedule_slots where id = $1`, [slotId]);
    const slots = (await api('GET', `/api/clinics/${clinicId}/availability?from=${s.date}&to=${s.date}`)).body
      .slots as { slotId: string; taken: number; available: number }[];
    return slots.find((x) => x.slotId === slotId)!;
  };
  /** The simulator's live appointments of a patient (by name), created through a session. */
  const liveOf = (pet: string): SimAppointment[] =>
    sim.appointments(COMPANY).filter((a) => a.patient?.name === pet && a.status !== 'cancelled');
  const book = (slotId: string, pet: string, client: Record<string, unknown> = {}) =>
    api('POST', '/api/bookings', {
      clinicId,
      slotId,
      client: {
        firstName: 'Ana',
        lastName: 'Lopez',
        phone: '+15553000000',
        email: 'ana.lopez@example.com',
        ...client,
      },
      patient: { name: pet, species: 'Canine' },
      reason: `Check-up of ${pet}`,
    });
  const writeBackOf = async (id: string) =>
    (await api('GET', `/api/bookings/${id}`)).body.writeBack as {
      status: string;
      pimsAppointmentId: string | null;
      error: string | null;
      attempts: number;
    };
  const settled = (id: string, timeoutMs = 60_000) =>
    waitFor(
      `booking ${id} to leave pending`,
      async () => {
        const wb = await writeBackOf(id);
        return wb.status !== 'pending' ? wb : null;
      },
      timeoutMs,
      100,
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    const clinic = scenarioClinic(COMPANY, { past: 0, future: 0 });
    clinic.appointments!.push(
      // A client known by her phone, with one pet.
      {
        id: 'K1',
        day: 6,
        time: '17:30',
        durationMinutes: 30,
        status: 'not_arrived',
        type: 'Wellness Exam',
        reason: 'Vaccines',
        providerId: 'p1',
        roomId: 'r1',
        patient: { id: 'PT-K1', name: 'Mochi', species: 'Feline', breed: 'Siamese' },
        client: {
          id: 'CL-K1',
          firstName: 'Kim',
          lastName: 'Known',
          phone: '+15557771111',
          email: 'kim@example.com',
        },
      },
      // Two clients with one phone.
      ...['T1', 'T2'].map((id) => ({
        id,
        day: 6,
        time: '17:00',
        durationMinutes: 30,
        status: 'not_arrived' as const,
        type: 'Wellness Exam',
        reason: 'Vaccines',
        providerId: 'p1',
        roomId: 'r1',
        patient: { id: `PT-${id}`, name: 'Rex', species: 'Canine', breed: 'Beagle' },
        client: { id: `CL-${id}`, firstName: 'Sam', lastName: `Twin ${id}`, phone: '+15557772222' },
      })),
    );
    sim = await target.startSimulator({ port: 0, scenario: { clinics: [clinic] } });
    const captured = captureLogger('info');
    logs = captured.lines;
    boss = await startBoss(
      db.pool,
      db.connectionString,
      { jobExpireSeconds: 60, maintenanceSeconds: 600, retryLimit: 2, retryDelaySeconds: 1 },
      captured.logger,
    );
    provider = target.makeProvider();
    services = createServices({
      pool: db.pool,
      boss,
      credentialsKey: parseEncryptionKey(generateEncryptionKey()),
      logger: captured.logger,
      settings: { ...TEST_QUEUE_SETTINGS, writeBackConcurrency: 6 },
      providers: [provider],
    });
    app = createHttpApp(services, { apiKey: TEST_API_KEY, logger: captured.logger });
    const created = await api('POST', '/api/clinics', {
      name: 'Write-back clinic',
      timezone: TZ,
      pims: target.credentials(sim, COMPANY),
      schedule: {
        openTime: '08:00',
        closeTime: '18:00',
        daysOfWeek: [1, 2, 3, 4, 5, 6, 7],
        slotDurationMinutes: 30,
        capacity: 2,
      },
    });
    expect(created.status).toBe(201);
    clinicId = created.body.id;
    expect((await services.orchestrator!.runInboundSync({ clinicId, forwardDays: 7 })).status).toBe(
      'completed',
    );
    await services.writeBackWorkers!.start();
  });

  afterAll(async () => {
    await services?.writeBackWorkers?.shutdown(1000);
    await services?.orchestrator?.close();
    await boss?.stop({ graceful: false, wait: true, timeout: 2000 });
    await provider?.close();
    await sim?.close();
    await db?.drop();
  });

  describe('a booking written into the PIMS', () => {
    let bookingId: string;
    let slot: string;

    it('appears in the calendar exactly once with its date, time, length, patient and reason, and reads written with that id, within 10 s at 100 ms PIMS latency', async () => {
      sim.setFaults({ latencyMs: 100 });
      slot = await slotAt(day(1), '09:00');
      const res = await book(slot, 'Biscuit');
      expect(res.status).toBe(201);
      expect(res.body.writeBack).toEqual({
        status: 'pending',
        pimsAppointmentId: null,
        error: null,
        attempts: 0,
      });
      bookingId = res.body.id;
      const wb = await waitFor(
        'the booking to read written',
        async () => {
          const w = await writeBackOf(bookingId);
          return w.status === 'written' ? w : null;
        },
        10_000,
        100,
      );
      sim.setFaults({});
      const mine = liveOf('Biscuit');
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({
        start: `${day(1)}T09:00`,
        durationMinutes: 30,
        // ezyVet keeps our booking reference in the description (docs/ezyvet-wire.md 7.5).
        reason: expect.stringMatching(/^Check-up of Biscuit( \[PIMS Sync ref \w+\])?$/),
        origin: 'created',
        roomId: W.booksRoom ? 'r1' : null,
        providerId: 'p1',
      });
      expect(mine[0].client).toMatchObject({ firstName: 'Ana', lastName: 'Lopez' });
      expect(wb).toEqual({ status: 'written', pimsAppointmentId: mine[0].id, error: null, attempts: 1 });
    });

    it('after a full sync the written appointment is linked to its booking and the slot counts it once', async () => {
      expect(await seats(slot)).toMatchObject({ taken: 1, available: 1 }); // the booking itself, not yet synced
      const audit = await services.orchestrator!.runBidirectionalSync({
        clinicId,
        backwardDays: 1,
        forwardDays: 7,
        reconciliationDays: 1,
      });
      expect(audit.status).toBe('completed');
      const linked = await q(
        `select a.slot_id from public.schedule_appointments a join public.bookings b on b.clinic_id = a.clinic_id and b.pims_appointment_id = a.neo_appointment_id
       where b.id = $1 and a.deleted_at is null`,
        [bookingId],
      );
      expect(linked).toEqual([{ slot_id: slot }]);
      expect(
        (await q(`select booked_count from public.schedule_slots where id = $1`, [slot]))[0].booked_count,
      ).toBe(1);
      expect(await seats(slot)).toMatchObject({ taken: 1, available: 1 }); // once
    });

    it('cancelling it cancels the PIMS appointment; the next sync frees the seat once', async () => {
      const [appt] = liveOf('Biscuit');
      const res = await api('POST', `/api/bookings/${bookingId}/cancel`, { reason: 'Owner called' });
      expect(res.status).toBe(200);
      expect(await seats(slot)).toMatchObject({ taken: 0, available: 2 }); // free at once
      const wb = await settled(bookingId, 30_000);
      expect(wb).toMatchObject({ status: 'written', pimsAppointmentId: appt.id });
      expect(sim.appointments(COMPANY).find((a) => a.id === appt.id)).toMatchObject({ status: 'cancelled' });
      expect((await services.orchestrator!.runInboundSync({ clinicId, forwardDays: 7 })).status).toBe(
        'completed',
      );
      expect(
        (await q(`select booked_count from public.schedule_slots where id = $1`, [slot]))[0].booked_count,
      ).toBe(0);
      expect(await seats(slot)).toMatchObject({ taken: 0, available: 2 }); // freed once, not twice
    });
  });

  describe('matching and the conflict check', () => {
    it('the slot filled in the PIMS while the booking waited (writes failing, then the front desk books the last seat, then writes succeed): conflict, nothing written', async () => {
      const slot = await slotAt(day(2), '10:00');
      sim.setFaults({ failPaths: [W.clientSearchPath] });
      const res = await book(slot, 'Waiting Willow', { phone: '+15553000099' });
      await waitFor(
        'a failed attempt',
        async () =>
          (await writeBackOf(res.body.id)).attempts >= 1 && (await writeBackOf(res.body.id)).error !== null,
        30_000,
        100,
      );
      expect((await writeBackOf(res.body.id)).status).toBe('pending');
      // The front desk books both seats of the slot meanwhile.
      for (const id of ['FD1', 'FD2']) {
        const r = await fetch(`${sim.url}/__sim/appointments`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            companyId: COMPANY,
            id,
            start: `${day(2)}T10:${id === 'FD1' ? '00' : '15'}`,
            durationMinutes: 15,
            status: 'not_arrived',
            reason: 'Walk-in',
            patient: { id: `PT-${id}`, name: `Desk ${id}` },
            client: { id: `CL-${id}`, firstName: 'Desk', lastName: id, phone: '+15550001111' },
          }),
        });
        expect(r.status).toBe(200);
      }
      const created = sim.stats().requests[W.createAppointment];
      sim.setFaults({});
      const wb = await settled(res.body.id);
      expect(wb.status).toBe('conflict');
      expect(wb.pimsAppointmentId).toBeNull();
      expect(wb.error).toMatch(
        /already holds 2 live appointments in this slot \(capacity 2\); nothing was written/,
      );
      expect(sim.stats().requests[W.createAppointment]).toBe(created);
      expect(liveOf('Waiting Willow')).toEqual([]);
    });

    it('a client known by phone is reused, and her pet found by name ignoring case: nothing created but the appointment', async () => {
      const before = sim.stats().requests;
      const res = await book(await slotAt(day(2), '11:00'), 'mochi', {
        firstName: 'Kim',
        lastName: 'Known',
        phone: '(555) 777-1111',
        email: 'kim.other@example.com',
      });
      expect((await settled(res.body.id)).status).toBe('written');
      const after = sim.stats().requests;
      expect(after[W.createClient] - before[W.createClient]).toBe(0);
      expect(after[W.createPatient] - before[W.createPatient]).toBe(0);
      const mine = liveOf('Mochi').filter((a) => a.origin === 'created');
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({
        start: `${day(2)}T11:00`,
        patient: { id: 'PT-K1' },
        client: { id: 'CL-K1' },
      });
    });

    it('two clients with that phone: needs_review, nothing written', async () => {
      const before = sim.stats().requests;
      const res = await book(await slotAt(day(2), '11:30'), 'Rex', {
        firstName: 'Sam',
        lastName: 'Twin',
        phone: '+1 555 777 2222',
      });
      const wb = await settled(res.body.id);
      expect(wb.status).toBe('needs_review');
      expect(wb.error).toMatch(/2 clients in the PIMS have the booking's phone number/);
      const after = sim.stats().requests;
      for (const k of [W.createClient, W.createPatient, W.createAppointment])
        expect(after[k] - before[k]).toBe(0);
    });
  });

  describe('a failed write-back retried by an admin', () => {
    it('a refused log-in fails it at once; POST /api/bookings/:id/write-back (202) after the password is fixed writes it', async () => {
      expect(
        (await api('PATCH', `/api/clinics/${clinicId}`, { pims: { [W.secretField]: 'Not-The-Password-1' } }))
          .status,
      ).toBe(200);
      const res = await book(await slotAt(day(2), '12:00'), 'Retried Rosie', { phone: '+15553000077' });
      const failed = await settled(res.body.id);
      expect(failed).toMatchObject({ status: 'failed', attempts: 1, pimsAppointmentId: null });
      expect(failed.error).toMatch(/^pims_auth_failed: /);
      expect(liveOf('Retried Rosie')).toEqual([]);
      expect(
        (await api('PATCH', `/api/clinics/${clinicId}`, { pims: { [W.secretField]: SIM_PASSWORD } })).status,
      ).toBe(200);
      const retry = await api('POST', `/api/bookings/${res.body.id}/write-back`);
      expect(retry).toEqual({
        status: 202,
        body: { bookingId: res.body.id, writeBack: { status: 'pending' } },
      });
      const again = await api('POST', `/api/bookings/${res.body.id}/write-back`);
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('write_back_not_failed');
      const wb = await settled(res.body.id);
      expect(wb).toMatchObject({ status: 'written', attempts: 1, error: null });
      expect(liveOf('Retried Rosie')).toHaveLength(1);
      expect(wb.pimsAppointmentId).toBe(liveOf('Retried Rosie')[0].id);
    });
  });

  describe('exactly once under faults', () => {
    it('with commitThenFail on the appointment create, errorRate 0.3 and sessionTtlSeconds 2 at once: 30 bookings, each exactly one appointment', async () => {
      const slots = await q(
        `select id from public.schedule_slots where clinic_id = $1 and date = $2 and start_time >= '08:00' order by start_time limit 15`,
        [clinicId, day(3)],
      );
      // The faults first: no booking is written before they apply.
      const before = sim.stats();
      sim.setFaults({
        commitThenFail: [W.createAppointmentPath],
        errorRate: 0.3,
        sessionTtlSeconds: 2,
        seed: 14,
      });
      const made: { id: string; pet: string }[] = [];
      for (let i = 0; i < 30; i++) {
        const caller = Math.floor(i / 3);
        const pet = `Faulty ${i}`;
        const res = await book(slots[i % 15].id, pet, {
          firstName: 'Caller',
          lastName: `N${caller}`,
          phone: `+1555400${String(caller).padStart(4, '0')}`,
          email: undefined,
        });
        expect(res.status).toBe(201);
        made.push({ id: res.body.id, pet });
      }
      for (const b of made) {
        const wb = await settled(b.id, 180_000);
        expect(wb.status, `${b.pet}: ${wb.error}`).toBe('written');
      }
      sim.setFaults({});
      const after = sim.stats();
      // The faults did happen: errors answered, sessions expired and logged in again, every create's answer lost.
      expect(after.errors - before.errors).toBeGreaterThan(30);
      expect(after.logins - before.logins).toBeGreaterThan(1);
      expect(
        after.requests[W.createAppointment] - before.requests[W.createAppointment],
      ).toBeGreaterThanOrEqual(30);
      for (const b of made) {
        const mine = liveOf(b.pet);
        expect(mine, b.pet).toHaveLength(1);
        expect((await writeBackOf(b.id)).pimsAppointmentId).toBe(mine[0].id);
      }
      // One client per caller.
      const clients = new Map<string, Set<string>>();
      for (const a of sim
        .appointments(COMPANY)
        .filter((x) => x.origin === 'created' && x.patient?.name?.startsWith('Faulty '))) {
        const k = a.client!.lastName!;
        clients.set(k, (clients.get(k) ?? new Set()).add(a.client!.id!));
      }
      expect([...clients.values()].map((s) => s.size)).toEqual(Array(10).fill(1));
      expect(logs.join('\n')).not.toContain(SIM_PASSWORD);
    });
  });
});
