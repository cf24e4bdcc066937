import { describe, expect, it } from 'vitest';
import { addDays, instantOfLocalCompatible } from '@pims/util';
import { ClinicCache } from './cache';

const ZONE = 'America/New_York';

/** A small deterministic random source (mulberry32). */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function epochOf(date: string, time: string): number {
  return Math.floor(instantOfLocalCompatible(date, time, ZONE)!.getTime() / 1000);
}

function dayOf(offset: number): string {
  const d = new Date(Date.UTC(2026, 10, 1 + offset));
  return d.toISOString().slice(0, 10);
}

interface ServerAppt {
  id: string;
  active: 0 | 1;
  start_at: number;
  end_at: number;
  status_id: string;
  modified_at: number;
  animal_id: string;
}

/** What ezyVet answers for a full fetch of a window: active appointments starting in it. */
function fullAnswer(server: Map<string, ServerAppt>, from: string, to: string): ServerAppt[] {
  const lo = epochOf(from, '00:00');
  const hi = epochOf(addDays(to, 1), '00:00');
  return [...server.values()].filter((a) => a.active === 1 && a.start_at >= lo && a.start_at < hi).map((a) => ({ ...a }));
}

function snapshot(cache: ClinicCache, from: string, to: string) {
  return cache
    .inRange({ from, to })
    .records.map((r) => `${r.id}@${r.start_at}/${r.status_id}`)
    .sort();
}

describe('ClinicCache: a full fetch then the changes since give what a full fetch gives', () => {
  it('holds for moves inside and out of the window, moves into it, removals, new visits and status changes (10 seeds)', () => {
    for (let seed = 1; seed <= 10; seed += 1) {
      const rnd = prng(seed);
      const server = new Map<string, ServerAppt>();
      let clock = 1_800_000_000;
      const randomStart = () => epochOf(dayOf(Math.floor(rnd() * 45)), `${String(8 + Math.floor(rnd() * 10)).padStart(2, '0')}:${rnd() < 0.5 ? '00' : '30'}`);
      for (let i = 0; i < 400; i += 1) {
        const s = randomStart();
        server.set(`A-${i}`, { id: `A-${i}`, active: 1, start_at: s, end_at: s + 1800, status_id: '1', modified_at: clock - 86_400, animal_id: `P-${i}` });
      }
      const from = dayOf(5);
      const to = dayOf(32);
      const cache = new ClinicCache(ZONE);
      cache.replaceRange({ from, to }, fullAnswer(server, from, to));
      cache.mark = clock;

      // 5 % of the appointments change, some new ones are made.
      clock += 3600;
      const ids = [...server.keys()];
      for (let k = 0; k < 20; k += 1) {
        const a = server.get(ids[Math.floor(rnd() * ids.length)])!;
        const kind = rnd();
        if (kind < 0.3) a.start_at = randomStart();
        else if (kind < 0.5) a.active = 0;
        else a.status_id = String(1 + Math.floor(rnd() * 8));
        a.end_at = a.start_at + 1800;
        a.modified_at = clock;
      }
      for (let k = 0; k < 5; k += 1) {
        const s = randomStart();
        server.set(`N-${k}`, { id: `N-${k}`, active: 1, start_at: s, end_at: s + 1800, status_id: '2', modified_at: clock, animal_id: `PN-${k}` });
      }
      const changed = [...server.values()].filter((a) => a.modified_at >= cache.mark! - 300).map((a) => ({ ...a }));
      expect(changed.length).toBeLessThan(server.size * 0.1);
      cache.mergeChanges(changed);

      const fresh = new ClinicCache(ZONE);
      fresh.replaceRange({ from, to }, fullAnswer(server, from, to));
      expect(snapshot(cache, from, to)).toEqual(snapshot(fresh, from, to));
      // And a part of the window on its own.
      expect(snapshot(cache, dayOf(10), dayOf(12))).toEqual(snapshot(fresh, dayOf(10), dayOf(12)));
    }
  });

  it('remembers unreadable records: counted in their window, never answered as their older readable copy; read again by id; one without an id makes its window be fetched in full', () => {
    const cache = new ClinicCache(ZONE);
    const s = epochOf('2026-11-20', '09:00');
    cache.replaceRange({ from: '2026-11-16', to: '2026-11-22' }, [
      { id: 'A-1', active: 1, start_at: s, end_at: s + 1800 },
      { id: 'A-2', active: 1 },
      { active: 1, start_at: s },
    ]);
    const inWeek = cache.inRange({ from: '2026-11-16', to: '2026-11-22' });
    expect(inWeek.records.map((r) => r.id)).toEqual(['A-1']);
    expect(inWeek.malformedIds).toEqual(['A-2']);
    expect(inWeek.anonymous).toBe(1);
    // Only the one without an id needs its window in full; A-2 is asked for by id.
    expect(cache.dirtyRanges({ from: '2026-11-20', to: '2026-11-20' })).toEqual([{ from: '2026-11-16', to: '2026-11-22' }]);
    expect(cache.dirtyRanges({ from: '2026-11-23', to: '2026-11-29' })).toHaveLength(0);
    // A-1 becomes unreadable in a change: its readable copy is not served, it counts on its own day only.
    cache.mergeChanges([{ id: 'A-1', active: 1, modified_at: 1 }]);
    expect(cache.inRange({ from: '2026-11-20', to: '2026-11-20' })).toMatchObject({ records: [], malformedIds: ['A-2', 'A-1'] });
    expect(cache.inRange({ from: '2026-11-21', to: '2026-11-22' }).malformedIds).toEqual(['A-2']);
    // Read again by id: A-2 whole again, A-1 still unreadable.
    cache.mergeRecheck(['A-1', 'A-2'], [{ id: 'A-1', active: 1 }, { id: 'A-2', active: 1, start_at: s + 3600, end_at: s + 5400 }]);
    expect(cache.inRange({ from: '2026-11-16', to: '2026-11-22' })).toMatchObject({ malformedIds: ['A-1'] });
    expect(cache.inRange({ from: '2026-11-16', to: '2026-11-22' }).records.map((r) => r.id)).toEqual(['A-2']);
    // Gone from ezyVet altogether: forgotten.
    cache.mergeRecheck(['A-1'], []);
    expect(cache.inRange({ from: '2026-11-16', to: '2026-11-22' }).malformedIds).toEqual([]);
  });

  it('a window inside one answered since the last check, or a check older than the bound, asks what changed; other windows are answered by the check', () => {
    const cache = new ClinicCache(ZONE);
    const backward = { from: '2026-11-13', to: '2026-11-27' };
    const forward = { from: '2026-11-27', to: '2026-12-11' };
    cache.replaceRange(backward, []);
    cache.replaceRange(forward, []);
    cache.checked(1_000);
    cache.answered.push(backward);
    // The same sync's next phase: another window, seconds later.
    expect(cache.checkDue(forward, 3_000, 10_000)).toBe(false);
    cache.answered.push(forward);
    // A later sync (or a reconciliation inside the backward window): asks again at once.
    expect(cache.checkDue(backward, 3_500, 10_000)).toBe(true);
    expect(cache.checkDue({ from: '2026-11-20', to: '2026-11-27' }, 3_500, 10_000)).toBe(true);
    // A window over both is inside neither: the time bound decides.
    expect(cache.checkDue({ from: '2026-11-20', to: '2026-12-01' }, 3_500, 10_000)).toBe(false);
    expect(cache.checkDue({ from: '2026-11-20', to: '2026-12-01' }, 11_000, 10_000)).toBe(true);
    // After a check nothing is answered yet; after our own write the next read asks.
    cache.checked(12_000);
    expect(cache.checkDue(backward, 12_001, 10_000)).toBe(false);
    cache.invalidate();
    expect(cache.checkDue(forward, 12_002, 10_000)).toBe(true);
  });

  it('takes a consult it knew as missing in when a change names it', () => {
    const cache = new ClinicCache(ZONE);
    cache.missingConsults.add('K-1');
    const k = { id: 'K-1', uid: null, active: true, created_at: 1, modified_at: 2, date: null, animal_id: null, vet_id: null, reason: null, status: 'Open' };
    cache.mergeConsults([k, { ...k, id: 'K-2' }]);
    expect([...cache.consults.keys()]).toEqual(['K-1']);
    expect(cache.missingConsults.size).toBe(0);
  });

  it('keeps records of the dates it fetched only, by their clinic-local start date', () => {
    const cache = new ClinicCache('Pacific/Kiritimati');
    // 2026-11-20 23:30 UTC is 2026-11-21 13:30 in Kiritimati (UTC+14).
    const s = Date.parse('2026-11-20T23:30:00Z') / 1000;
    cache.replaceRange({ from: '2026-11-21', to: '2026-11-21' }, [{ id: 'A-1', active: 1, start_at: s, end_at: s + 1800 }]);
    expect(cache.inRange({ from: '2026-11-21', to: '2026-11-21' }).records.map((r) => r.id)).toEqual(['A-1']);
    cache.mergeChanges([{ id: 'A-1', active: 1, start_at: s + 86_400, end_at: s + 88_200 }]);
    expect(cache.inRange({ from: '2026-11-21', to: '2026-11-22' }).records).toEqual([]);
  });
});
