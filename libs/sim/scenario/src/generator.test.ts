import { describe, expect, it } from 'vitest';
import { generateClinic, type GeneratedClinic } from './generator/generate-clinic';
import { createRng } from './prng';
import { parseScenario } from './scenario';
import { resolveScenarioClinic } from './model';

const NOW = '2026-11-20T15:00:00Z'; // Friday 10:00 in New York

function clinic(
  seed: string | number = 'seed-1',
  extra: Partial<Parameters<typeof generateClinic>[0]> = {},
): GeneratedClinic {
  return generateClinic({
    seed,
    companyId: '100',
    name: 'Generated Vet',
    timezone: 'America/New_York',
    daysBack: 14,
    daysForward: 14,
    visitsPerDay: 10,
    now: NOW,
    ...extra,
  });
}

describe('prng', () => {
  it('is deterministic per seed and spreads values', () => {
    const a = createRng('x');
    const b = createRng('x');
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(Array.from({ length: 1000 }, () => b.next())).toEqual(xs);
    expect(createRng('y').next()).not.toBe(xs[0]);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });
});

describe('generateClinic', () => {
  const base = clinic();

  it('is deterministic: the same seed and now give the same clinic, another seed another one', () => {
    const a = clinic('seed-1');
    expect(a).toEqual(base);
    expect(JSON.stringify(clinic('other').appointments)).not.toEqual(JSON.stringify(a.appointments));
  });

  it('produces a valid scenario with appointments around today in the clinic zone', () => {
    const c = base;
    const parsed = parseScenario({ clinics: [c] });
    expect(parsed.ok).toBe(true);
    const starts = c.appointments.map((a) => String(a.start));
    expect(starts.some((s) => s.startsWith('2026-11-20'))).toBe(true);
    expect(starts.every((s) => s >= '2026-11-06' && s < '2026-12-05')).toBe(true);
    // Business hours only (Mon-Fri 08-18, Sat 09-13): no Sunday visits.
    expect(starts.some((s) => s.startsWith('2026-11-22'))).toBe(false);
  });

  it('is realistic: species and breeds, people with phones and emails, types, providers and rooms', () => {
    const c = base;
    const visits = c.appointments.filter((a) => !a.isBlock && !a.isRoster);
    expect(visits.length).toBeGreaterThan(150);
    const species = new Set(visits.map((a) => a.patient!.species));
    expect(species).toContain('Canine');
    expect(species).toContain('Feline');
    expect(species.size).toBeGreaterThanOrEqual(3);
    expect(new Set(visits.map((a) => a.patient!.breed)).size).toBeGreaterThan(15);
    for (const a of visits) {
      expect(a.client!.phone).toMatch(/^\+1555\d{7}$/);
      expect(a.client!.email).toMatch(/^[a-z.]+\d*@example\.(com|net|org)$/);
      expect(a.type).toBeTruthy();
      expect(a.reason).toBeTruthy();
      expect(c.providers.map((p) => p.id)).toContain(a.providerId);
      expect(c.rooms.map((r) => r.id)).toContain(a.roomId);
    }
    expect(new Set(visits.map((a) => a.type)).size).toBeGreaterThanOrEqual(8);
    expect(c.providers.some((p) => p.name.startsWith('Dr. '))).toBe(true);
    // Some pets come back.
    expect(new Set(visits.map((a) => a.patient!.id)).size).toBeLessThan(visits.length);
  });

  it('has blocks (lunch), rosters, cancellations and no-shows', () => {
    const c = base;
    const blocks = c.appointments.filter((a) => a.isBlock);
    const rosters = c.appointments.filter((a) => a.isRoster);
    expect(blocks.some((b) => b.title === 'Lunch')).toBe(true);
    expect(rosters.length).toBeGreaterThan(5);
    for (const b of [...blocks, ...rosters]) expect(b.patient).toBeUndefined();
    const statuses = c.appointments.filter((a) => !a.isBlock && !a.isRoster).map((a) => a.status);
    expect(statuses).toContain('cancelled');
    expect(statuses).toContain('no_show');
    expect(statuses).toContain('finalized');
    expect(statuses).toContain('not_arrived');
    expect(statuses).toContain('confirmed');
    for (const a of c.appointments.filter((x) => x.status === 'cancelled'))
      expect(a.cancelledReason).toBeTruthy();
  });

  it('gives most past visits a consultation with SOAP notes, diagnoses, lines and a discharge summary', () => {
    const c = base;
    const past = c.appointments.filter((a) => !a.isBlock && !a.isRoster && a.status === 'finalized');
    const withConsultation = past.filter((a) => a.consultationId);
    expect(withConsultation.length / past.length).toBeGreaterThan(0.8);
    const byId = new Map(c.consultations.map((k) => [k.id, k]));
    for (const a of withConsultation) {
      const k = byId.get(String(a.consultationId))!;
      expect(k).toBeDefined();
      expect(k.notes).toMatch(/^S: .+\nO: .+\nA: .+\nP: .+/);
      expect(k.notes).toContain(a.patient!.name);
      expect(k.dischargeSummary).toContain(a.patient!.name);
      expect(k.diagnoses!.length).toBeGreaterThan(0);
      expect(k.lines!.length).toBeGreaterThan(0);
      expect(['Paid', 'Completed', 'Partially paid']).toContain(k.status);
      expect(String(k.updatedAt) >= `${String(a.start).replace('T', ' ')}:00`).toBe(true);
      expect(String(k.updatedAt) <= '2026-11-20 10:00:00').toBe(true);
    }
    // Future visits have none.
    expect(c.appointments.filter((a) => String(a.start) > '2026-11-20T10:00' && a.consultationId)).toEqual(
      [],
    );
  });

  it('never double-books a room and keeps every audit time at or before now', () => {
    const c = clinic('busy', { visitsPerDay: 25, daysBack: 7, daysForward: 7 });
    const parsed = parseScenario({ clinics: [c] });
    if (!parsed.ok) throw new Error(parsed.error);
    const resolved = resolveScenarioClinic(parsed.value.clinics[0], new Date(NOW));
    const byRoom = new Map<string, { start: string; end: string }[]>();
    for (const a of resolved.appointments.values()) {
      if (!a.roomId) continue;
      const list = byRoom.get(a.roomId) ?? [];
      for (const other of list) expect(a.start >= other.end || a.end <= other.start).toBe(true);
      list.push({ start: a.start, end: a.end });
      byRoom.set(a.roomId, list);
      expect(a.bookedAt <= '2026-11-20 10:00:00').toBe(true);
      if (a.updatedAt) expect(a.updatedAt <= '2026-11-20 10:00:00').toBe(true);
    }
  });
});
