import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@pims/db/testing';
import { startSimulator, type Simulator } from '@pims/idexx-neo-sim';
import { apiClient, clinicBody, dumpLogs, jsonLines, scenarioClinic, serviceEnv, SIM_PASSWORD, spawnService, testSecrets, waitFor, type ServiceChild } from '../testing/e2e';

/**
 * Fault: the worker process writing bookings into IDEXX Neo is killed with SIGKILL in the middle of
 * a write (after the write-back recorded the patient, the step just before the appointment is
 * sent). Another worker process picks the bookings up (the sweep sends a new job for a row whose
 * job's worker is gone: its lease is free) and every booking still ends with exactly one appointment.
 */

const COMPANY = '8401';
const secrets = testSecrets();
let db: TestDatabase;
let sim: Simulator;
const children: ServiceChild[] = [];
const env = (extra: Record<string, string>) => serviceEnv(db.connectionString, secrets, extra);
const q = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows;

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ port: 0, scenario: { clinics: [scenarioClinic(COMPANY, { past: 0, future: 0 })] } });
});

afterAll(async () => {
  await Promise.all(children.map((c) => c.stop(5000)));
  dumpLogs('write-back-fault', children);
  await sim?.close();
  await db?.drop();
});

describe('a worker killed in the middle of a write-back', () => {
  it('another process finishes its bookings: every booking written, exactly one appointment each', async () => {
    const apiProc = spawnService('api', env({ PIMS_SYNC_ROLE: 'api' }));
    const workerA = spawnService('worker-a', env({ PIMS_SYNC_ROLE: 'worker', PIMS_SYNC_WRITE_BACK_CONCURRENCY: '3' }));
    children.push(apiProc, workerA);
    const api = apiClient(await apiProc.url(), secrets.apiKey);
    const clinicId = (await api('POST', '/api/clinics', clinicBody(sim.url, COMPANY))).body.id as string;
    const sync = await api('POST', '/api/sync/inbound', { clinicId });
    expect(sync.status).toBe(202);
    await waitFor('the inbound sync', async () => (await api('GET', `/api/sync/${sync.body.syncId}`)).body.status === 'completed', 90_000, 200);

    const open = (await api('GET', `/api/clinics/${clinicId}/availability`)).body.slots as { slotId: string; date: string }[];
    const tomorrow = open.filter((s) => s.date > open[0].date); // in time order: the first date's are left out
    sim.setFaults({ latencyMs: 300 });
    const made: { id: string; pet: string }[] = [];
    for (let i = 0; i < 12; i++) {
      const pet = `Killed ${i}`;
      const res = await api('POST', '/api/bookings', {
        clinicId,
        slotId: tomorrow[i % 6].slotId,
        client: { firstName: 'Caller', lastName: `K${Math.floor(i / 3)}`, phone: `+1555500${String(Math.floor(i / 3)).padStart(4, '0')}` },
        patient: { name: pet },
        reason: `Visit of ${pet}`,
      });
      expect(res.status).toBe(201);
      made.push({ id: res.body.id, pet });
    }

    // Worker A is in the middle of a write: a booking's patient recorded, its appointment on its way.
    const inFlight = await waitFor(
      'a write-back to reach its appointment',
      async () => (await q(`select id from public.bookings where clinic_id = $1 and write_back_status = 'pending' and pims_patient_id is not null`, [clinicId]))[0],
      90_000,
      25,
    );
    workerA.kill();
    await workerA.exited;
    sim.setFaults({ latencyMs: 50 });
    const pendingAtKill = (await q(`select count(*)::int as n from public.bookings where clinic_id = $1 and write_back_status = 'pending'`, [clinicId]))[0].n;
    expect(pendingAtKill).toBeGreaterThan(0);

    const workerB = spawnService('worker-b', env({ PIMS_SYNC_ROLE: 'worker', PIMS_SYNC_STALE_SECONDS: '5' }));
    children.push(workerB);
    for (const b of made) {
      await waitFor(`${b.pet} to be written`, async () => (await api('GET', `/api/bookings/${b.id}`)).body.writeBack.status === 'written', 120_000, 250);
    }
    sim.setFaults({});
    const created = sim.appointments(COMPANY).filter((a) => a.origin === 'created');
    for (const b of made) {
      const mine = created.filter((a) => a.patient?.name === b.pet && a.status !== 'cancelled');
      expect(mine, b.pet).toHaveLength(1);
      expect((await api('GET', `/api/bookings/${b.id}`)).body.writeBack.pimsAppointmentId).toBe(mine[0].id);
    }
    expect(created).toHaveLength(12);
    // One client per caller, though a worker died between matching and booking.
    expect(new Set(created.map((a) => a.client?.id)).size).toBe(4);
    // The booking that was in flight was finished by worker B.
    const killed = made.find((b) => b.id === inFlight.id)!;
    expect(jsonLines(workerB.lines).some((l) => l.bookingId === killed.id && l.msg === 'write-back settled')).toBe(true);
    expect((await q(`select count(*)::int as n from public.write_back_outbox where clinic_id = $1 and processed_at is null`, [clinicId]))[0].n).toBe(0);
    expect(children.flatMap((c) => c.lines).join('\n')).not.toContain(SIM_PASSWORD);
  });
});
