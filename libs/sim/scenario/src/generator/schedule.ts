import { addDays, isoWeekday, minutesOf } from '@pims/util';
import type { Rng } from '../prng';
import { CONDITIONS, VISIT_KINDS, type Condition, type VisitKind } from './data';
import type { Pet } from './people';
import type { Staff } from './staff';

/** A visit or a block placed on the calendar, before its status and audit times. */
export interface Draft {
  date: string;
  startMin: number;
  duration: number;
  roomId: string | null;
  providerId: string | null;
  kind: VisitKind | null;
  reason: string | null;
  condition: Condition | null;
  pet: Pet | null;
  block: { title: string; roster: boolean } | null;
}

export interface ScheduleInput {
  scheduleRng: Rng;
  today: string;
  daysBack: number;
  daysForward: number;
  visitsPerDay: number;
  businessHours: { daysOfWeek: number[]; startTime: string; endTime: string }[];
  withBlocks: boolean;
  staff: Staff;
  pets: Pet[];
}

/**
 * The calendar of today-daysBack .. today+daysForward: visits of fitting pets in business hours,
 * never two in one room at once, with lunch blocks, a weekly staff meeting and on-call rosters.
 * Sorted by date, start and room.
 */
export function generateSchedule(x: ScheduleInput): Draft[] {
  const { scheduleRng, today, daysBack, daysForward, visitsPerDay, businessHours, withBlocks, pets } = x;
  const { examRooms, surgery, rooms, vets, techs } = x.staff;
  const petFor = (kind: VisitKind, reason: string): Pet | null => {
    for (let tries = 0; tries < 30; tries++) {
      const pet = scheduleRng.pick(pets);
      if (kind.species && !kind.species.includes(pet.species.species)) continue;
      if (kind.type === 'New Patient Exam') {
        if (reason === 'New puppy exam' && pet.species.species !== 'Canine') continue;
        if (reason === 'New kitten exam' && pet.species.species !== 'Feline') continue;
      }
      if (kind.type === 'Senior Wellness' && !pet.senior && tries < 20) continue;
      return pet;
    }
    return null;
  };

  const drafts: Draft[] = [];
  for (let d = -daysBack; d <= daysForward; d++) {
    const date = addDays(today, d);
    const weekday = isoWeekday(date);
    const ranges = businessHours.filter((b) => b.daysOfWeek.includes(weekday));
    ranges.forEach((range, rangeIndex) => {
      const open = minutesOf(range.startTime);
      const close = minutesOf(range.endTime);
      const busy = new Map<string, [number, number][]>(rooms.map((r) => [r.id, []]));
      const free = (roomId: string, s: number, e: number) =>
        busy.get(roomId)!.every(([a, b]) => e <= a || s >= b);
      const occupy = (roomId: string, s: number, e: number) => busy.get(roomId)!.push([s, e]);

      if (withBlocks && rangeIndex === 0) {
        if (open <= 12 * 60 && close >= 13 * 60 && close - open >= 6 * 60) {
          const vet = vets[(d + daysBack) % vets.length];
          drafts.push(block(date, 12 * 60, 60, examRooms[0].id, vet.id, 'Lunch'));
          occupy(examRooms[0].id, 12 * 60, 13 * 60);
        }
        if (weekday === 3 && examRooms.length > 1 && open <= 8 * 60 && close >= 9 * 60) {
          drafts.push(block(date, Math.max(open, 8 * 60), 30, examRooms[1].id, null, 'Staff meeting'));
          occupy(examRooms[1].id, Math.max(open, 8 * 60), Math.max(open, 8 * 60) + 30);
        }
        const onCall = vets[(d + daysBack + 1) % vets.length];
        drafts.push({
          ...block(date, open, close - open, null, onCall.id, `${onCall.name} on call`),
          block: { title: `${onCall.name} on call`, roster: true },
        });
      }

      const share = (close - open) / 600;
      const count = Math.max(1, Math.round(visitsPerDay * share * (0.8 + 0.4 * scheduleRng.next())));
      for (let v = 0; v < count; v++) {
        const kind = scheduleRng.weighted(
          VISIT_KINDS,
          VISIT_KINDS.map((k) => k.weight),
        );
        let condition: Condition | null = null;
        let reason: string;
        if (kind.type === 'Sick Visit') {
          condition = scheduleRng.pick(CONDITIONS);
          reason = condition.reason;
        } else reason = scheduleRng.pick(kind.reasons);
        const pet = petFor(kind, reason);
        if (!pet) continue;
        if (condition?.species && !condition.species.includes(pet.species.species)) {
          const fitting = CONDITIONS.filter((c) => !c.species || c.species.includes(pet.species.species));
          condition = scheduleRng.pick(fitting);
          reason = condition.reason;
        }
        const roomChoices = kind.surgical && surgery ? [surgery] : examRooms;
        let placed: { start: number; roomId: string } | null = null;
        for (let tries = 0; tries < 25 && !placed; tries++) {
          const step = scheduleRng.chance(0.75) ? 30 : 15;
          const slots = Math.floor((close - open - kind.duration) / step);
          if (slots < 0) break;
          const start = open + step * scheduleRng.int(0, slots);
          const room = scheduleRng.pick(roomChoices);
          if (free(room.id, start, start + kind.duration)) placed = { start, roomId: room.id };
        }
        if (!placed) continue;
        occupy(placed.roomId, placed.start, placed.start + kind.duration);
        const provider =
          kind.techOk && techs.length > 0 && scheduleRng.chance(0.5)
            ? scheduleRng.pick(techs)
            : scheduleRng.pick(vets);
        drafts.push({
          date,
          startMin: placed.start,
          duration: kind.duration,
          roomId: placed.roomId,
          providerId: provider.id,
          kind,
          reason,
          condition,
          pet,
          block: null,
        });
      }
    });
  }
  drafts.sort(
    (a, b) =>
      a.date.localeCompare(b.date) ||
      a.startMin - b.startMin ||
      (a.roomId ?? '').localeCompare(b.roomId ?? ''),
  );
  return drafts;
}

function block(
  date: string,
  startMin: number,
  duration: number,
  roomId: string | null,
  providerId: string | null,
  title: string,
): Draft {
  return {
    date,
    startMin,
    duration,
    roomId,
    providerId,
    kind: null,
    reason: null,
    condition: null,
    pet: null,
    block: { title, roster: false },
  };
}
