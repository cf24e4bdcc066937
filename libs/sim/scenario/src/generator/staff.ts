import type { Rng } from '../prng';
import { TECH_NAMES, VET_NAMES, VISIT_KINDS } from './data';
import { shuffle } from './helpers';

export interface StaffOptions {
  examRooms?: number;
  surgeryRoom?: boolean;
  vets?: number;
  techs?: number;
}

export interface Staff {
  examRooms: { id: string; name: string }[];
  surgery: { id: string; name: string } | null;
  rooms: { id: string; name: string }[];
  vets: { id: string; name: string }[];
  techs: { id: string; name: string }[];
  providers: { id: string; name: string }[];
  appointmentTypes: { id: string; name: string; duration: number; color: string }[];
}

/** Exam rooms (and a surgery room), vets and technicians picked from the name lists, and the appointment types. */
export function generateStaff(staffRng: Rng, opts: StaffOptions): Staff {
  const examRooms = Array.from({ length: Math.max(1, opts.examRooms ?? 3) }, (_, i) => ({
    id: String(101 + i),
    name: `Exam ${i + 1}`,
  }));
  const surgery = opts.surgeryRoom === false ? null : { id: String(101 + examRooms.length), name: 'Surgery' };
  const rooms = surgery ? [...examRooms, surgery] : examRooms;
  const vetNames = shuffle(staffRng, VET_NAMES).slice(
    0,
    Math.max(1, Math.min(VET_NAMES.length, opts.vets ?? 3)),
  );
  const techNames = shuffle(staffRng, TECH_NAMES).slice(
    0,
    Math.max(0, Math.min(TECH_NAMES.length, opts.techs ?? 1)),
  );
  const vets = vetNames.map((name, i) => ({ id: String(201 + i), name }));
  const techs = techNames.map((name, i) => ({ id: String(201 + vets.length + i), name }));
  const providers = [...vets, ...techs];
  const appointmentTypes = VISIT_KINDS.map((k, i) => ({
    id: String(301 + i),
    name: k.type,
    duration: k.duration,
    color: k.color,
  }));
  return { examRooms, surgery, rooms, vets, techs, providers, appointmentTypes };
}
