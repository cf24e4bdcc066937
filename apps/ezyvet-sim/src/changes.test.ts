import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { ClinicScenarioInput } from '@pims/sim-scenario';
import { startEzyvetSimulator, type EzyvetSimulator } from './server';
import { EzyClient, postJson } from './testing/http-client';
import { EZY_CREDS, FIXED_NOW, epoch, smallClinic } from './testing/fixtures';

let sim: EzyvetSimulator;
let client: EzyClient;
const T0 = epoch(FIXED_NOW);
const LATER = '2026-11-20T16:00:00Z';

beforeEach(async () => {
  await sim?.close();
  sim = await startEzyvetSimulator({
    scenario: { clinics: [smallClinic()] },
    now: FIXED_NOW,
    rateLimitPerMinute: 0,
  });
  client = new EzyClient(sim.url, EZY_CREDS);
});
afterAll(() => sim.close());

const byId = async (path: string, filters: Record<string, unknown> = {}) =>
  new Map((await client.all(path, filters)).map((r) => [String(r.id), r]));

function withChanges(edit: (c: ClinicScenarioInput) => void): ClinicScenarioInput {
  const c = structuredClone(smallClinic());
  edit(c);
  return c;
}

describe('modified_at and removals (docs/ezyvet-wire.md section 6)', () => {
  it('the same scenario loaded again changes no created_at or modified_at', async () => {
    const before = await byId('/v2/appointment');
    const consults = await byId('/v1/consult');
    sim.setNow(LATER);
    sim.setScenario({ clinics: [smallClinic()] });
    expect(await byId('/v2/appointment')).toEqual(before);
    expect(await byId('/v1/consult')).toEqual(consults);
    const changed = await client.all('/v2/appointment', { modified_at: { gte: epoch(LATER) } });
    expect(changed).toEqual([]);
  });

  it('a later scenario: a changed appointment gets a fresh modified_at, a left-out one active 0; both found by modified_at', async () => {
    const before = await byId('/v2/appointment');
    sim.setNow(LATER);
    sim.setScenario({
      clinics: [
        withChanges((c) => {
          c.appointments = c.appointments!.filter((a) => a.id !== 'A-1002');
          const a = c.appointments.find((x) => x.id === 'A-1001')!;
          a.start = '2026-11-20T09:30';
        }),
      ],
    });
    const after = await byId('/v2/appointment');
    expect(after.get('A-1001')).toMatchObject({
      active: 1,
      start_at: epoch('2026-11-20T14:30:00Z'),
      modified_at: epoch(LATER),
    });
    expect(after.get('A-1002')).toMatchObject({
      active: 0,
      modified_at: epoch(LATER),
      created_at: before.get('A-1002')!.created_at,
    });
    for (const id of ['A-1000', 'A-1003', 'B-1', 'R-1']) expect(after.get(id)).toEqual(before.get(id));
    const delta = await client.all('/v2/appointment', { modified_at: { gte: epoch(LATER) } });
    expect(delta.map((r) => [r.id, r.active])).toEqual([
      ['A-1001', 1],
      ['A-1002', 0],
    ]);
    expect((await client.all('/v2/appointment', { active: 1 })).map((r) => r.id)).not.toContain('A-1002');
    // The PIMS no longer holds it.
    expect(sim.appointments('8890').map((a) => a.id)).not.toContain('A-1002');
    // Back in a later scenario: active again, fresh modified_at.
    sim.setNow('2026-11-20T17:00:00Z');
    sim.setScenario({ clinics: [smallClinic()] });
    expect((await byId('/v2/appointment')).get('A-1002')).toMatchObject({
      active: 1,
      modified_at: epoch('2026-11-20T17:00:00Z'),
    });
  });

  it('a consultation change bumps the consult (and its clinical record), not the appointment; a patient change the animal', async () => {
    const appts = await byId('/v2/appointment');
    const animals = await byId('/v1/animal');
    sim.setNow(LATER);
    sim.setScenario({
      clinics: [
        withChanges((c) => {
          c.consultations![0].dischargeSummary = 'Rest for two days.';
          c.appointments!.find((a) => a.id === 'A-1002')!.patient!.name = 'Luna II';
        }),
      ],
    });
    expect(await byId('/v2/appointment')).toEqual(appts);
    const consult = (await byId('/v1/consult')).get('K-501')!;
    expect(consult.modified_at).toBe(epoch(LATER));
    const plan = (await client.all('/v1/plan', { consult_id: 'K-501' }))[0];
    expect(plan).toMatchObject({ notes: 'Rest for two days.', modified_at: epoch(LATER) });
    const assessment = (await client.all('/v1/assessment', { consult_id: 'K-501' }))[0];
    expect(assessment.modified_at).toBe(T0);
    const after = await byId('/v1/animal');
    expect(after.get('P-2')).toMatchObject({ name: 'Luna II', modified_at: epoch(LATER) });
    expect(after.get('P-1')).toEqual(animals.get('P-1'));
  });

  it('updateAppointment / updateConsultation / removeAppointment (and their control routes) bump modified_at, even at the same clock second', async () => {
    const before = (await byId('/v2/appointment')).get('A-1002')!;
    sim.updateAppointment('A-1002', { status: 'confirmed' });
    const first = (await byId('/v2/appointment')).get('A-1002')!;
    expect(first).toMatchObject({ status_id: '2' });
    expect(Number(first.modified_at)).toBeGreaterThanOrEqual(T0);
    expect(Number(first.modified_at)).toBeGreaterThan(Number(before.modified_at));
    // A change that renders the same record still moves modified_at forward (strictly).
    const r = await postJson(sim.url, '/__sim/appointments/A-1002', { status: 'confirmed' });
    expect(r.status).toBe(200);
    const second = (await byId('/v2/appointment')).get('A-1002')!;
    expect(Number(second.modified_at)).toBeGreaterThan(Number(first.modified_at));

    const consultBefore = (await byId('/v1/consult')).get('K-501')!;
    sim.updateConsultation('K-501', { notes: 'Changed notes' });
    const consultAfter = (await byId('/v1/consult')).get('K-501')!;
    expect(Number(consultAfter.modified_at)).toBeGreaterThan(Number(consultBefore.modified_at));
    expect((await client.all('/v1/assessment', { consult_id: 'K-501' }))[0].notes).toBe('Changed notes');

    sim.removeAppointment('A-1000');
    expect((await byId('/v2/appointment')).get('A-1000')).toMatchObject({ active: 0 });
    expect(sim.appointments('8890').map((a) => a.id)).not.toContain('A-1000');
  });

  it('an appointment added through the control API is new: created and modified now', async () => {
    sim.setNow(LATER);
    const r = await postJson(sim.url, '/__sim/appointments', {
      companyId: '8890',
      id: 'A-2000',
      day: 1,
      time: '09:00',
      type: 'Recheck',
      patient: { id: 'P-9', name: 'Nova', species: 'Feline' },
      client: { id: 'C-9', firstName: 'Eve', lastName: 'Stone', email: 'eve@example.com' },
    });
    expect(r.status).toBe(200);
    const a = (await byId('/v2/appointment')).get('A-2000')!;
    expect(a).toMatchObject({
      active: 1,
      start_at: epoch('2026-11-21T14:00:00Z'),
      type_id: 't3',
      animal_id: 'P-9',
      contact_id: 'C-9',
    });
    // Booked a week before the visit by default: never after now.
    expect(Number(a.created_at)).toBeLessThanOrEqual(epoch(LATER));
    expect((await byId('/v1/contact')).get('C-9')).toMatchObject({ first_name: 'Eve', active: 1 });
  });
});
