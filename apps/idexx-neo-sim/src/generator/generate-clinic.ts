import { addDays, isValidTimeZone, isoWeekday, minutesOf, timeOfMinutes } from '@pims/util';
import { parseInstant } from '../clock';
import { addMinutesLocal, localNow, minutesBetweenLocal, type LocalDateTime } from '../local-time';
import { createRng, type Rng } from '../prng';
import type {
  AppointmentScenarioInput,
  ClinicScenarioInput,
  ConsultationScenarioInput,
  ScenarioStatus,
} from '../scenario';
import {
  CANCEL_REASONS,
  CONDITIONS,
  EMAIL_DOMAINS,
  FIRST_NAMES,
  FRONT_DESK,
  LAST_NAMES,
  PET_NAMES,
  SPECIES,
  TECH_NAMES,
  TITLES,
  TITLE_WEIGHTS,
  VACCINES,
  VET_NAMES,
  VISIT_KINDS,
  type Condition,
  type SpeciesInfo,
  type VisitKind,
} from './data';

export interface GenerateClinicOptions {
  /** Same seed (and same `now`) = same data. */
  seed: string | number;
  companyId: string;
  name: string;
  timezone: string;
  username?: string;
  password?: string;
  /** Days of history before today (default 14) and of bookings after it (default 14). */
  daysBack?: number;
  daysForward?: number;
  /** Average visits per full business day (default 10). */
  visitsPerDay?: number;
  /** "Now" of the generated world (default real time); today is its date in `timezone`. */
  now?: Date | string;
  businessHours?: { daysOfWeek: number[]; startTime: string; endTime: string }[];
  slotInterval?: number;
  /** Exam rooms (default 3); a Surgery room is added unless `surgeryRoom: false`. */
  examRooms?: number;
  surgeryRoom?: boolean;
  vets?: number;
  techs?: number;
  /** Share of past visits with a consultation (default 0.92). */
  consultationRate?: number;
  cancellationRate?: number;
  noShowRate?: number;
  /** Add lunch blocks, a weekly staff meeting and daily on-call rosters (default true). */
  blocks?: boolean;
  mfa?: boolean;
  showCompanyId?: boolean;
}

export type GeneratedClinic = ClinicScenarioInput & {
  name: string;
  businessHours: { daysOfWeek: number[]; startTime: string; endTime: string }[];
  slotInterval: number;
  rooms: { id: string; name: string }[];
  providers: { id: string; name: string }[];
  appointmentTypes: { id: string; name: string; duration: number; color: string }[];
  appointments: AppointmentScenarioInput[];
  consultations: ConsultationScenarioInput[];
};

interface Person {
  id: string;
  title: string;
  firstName: string;
  lastName: string;
  phone: string;
  email: string;
}

interface Pet {
  id: string;
  name: string;
  species: SpeciesInfo;
  breed: string;
  owner: Person;
  young: boolean;
  senior: boolean;
}

interface Draft {
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

const DEFAULT_HOURS = [
  { daysOfWeek: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '18:00' },
  { daysOfWeek: [6], startTime: '09:00', endTime: '13:00' },
];

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function shuffle<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function localOf(date: string, minutes: number): LocalDateTime {
  return `${date} ${timeOfMinutes(minutes)}:00`;
}

function minLocal(a: LocalDateTime, b: LocalDateTime): LocalDateTime {
  return a < b ? a : b;
}

/**
 * A deterministic, realistic clinic: clients and pets, a schedule around "today" with blocks and
 * rosters, cancellations and no-shows, and consultations (SOAP notes, diagnoses, product lines,
 * discharge summaries) for most past visits. The result is a scenario clinic (CONTRACT section 5).
 */
export function generateClinic(opts: GenerateClinicOptions): GeneratedClinic {
  if (!isValidTimeZone(opts.timezone)) throw new Error(`Unknown time zone ${opts.timezone}`);
  const now = opts.now === undefined ? new Date() : parseInstant(opts.now);
  if (!now) throw new Error(`Invalid now: ${String(opts.now)}`);
  const tz = opts.timezone;
  const nowLocal = localNow(now, tz);
  const today = nowLocal.slice(0, 10);
  const daysBack = opts.daysBack ?? 14;
  const daysForward = opts.daysForward ?? 14;
  const visitsPerDay = opts.visitsPerDay ?? 10;
  const businessHours = (opts.businessHours ?? DEFAULT_HOURS).map((b) => ({
    ...b,
    daysOfWeek: [...b.daysOfWeek],
  }));
  const slotInterval = opts.slotInterval ?? 30;
  const consultationRate = opts.consultationRate ?? 0.92;
  const cancellationRate = opts.cancellationRate ?? 0.07;
  const noShowRate = opts.noShowRate ?? 0.04;
  const withBlocks = opts.blocks ?? true;

  const rng = createRng(opts.seed);
  const staffRng = rng.fork('staff');
  const peopleRng = rng.fork('people');
  const scheduleRng = rng.fork('schedule');
  const statusRng = rng.fork('status');
  const clinicalRng = rng.fork('clinical');

  // ---- staff, rooms, types ------------------------------------------------------------------
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

  // ---- clients and pets ---------------------------------------------------------------------
  const totalDays = daysBack + daysForward + 1;
  const petCount = Math.max(20, Math.round(visitsPerDay * totalDays * 0.55));
  const people: Person[] = [];
  const pets: Pet[] = [];
  const usedEmails = new Set<string>();
  for (let i = 0; pets.length < petCount; i++) {
    const firstName = peopleRng.pick(FIRST_NAMES);
    const lastName = peopleRng.pick(LAST_NAMES);
    const local = `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z.]/g, '');
    let email = `${local}@${peopleRng.pick(EMAIL_DOMAINS)}`;
    for (let n = 2; usedEmails.has(email); n++) email = email.replace(/(\d*)@/, `${n}@`);
    usedEmails.add(email);
    const owner: Person = {
      id: String(10001 + i),
      title: peopleRng.weighted(TITLES, TITLE_WEIGHTS),
      firstName,
      lastName,
      phone: `+1555${String(peopleRng.int(2000000, 9999999))}`,
      email,
    };
    people.push(owner);
    const petsOfOwner = peopleRng.weighted([1, 2, 3], [70, 24, 6]);
    for (let k = 0; k < petsOfOwner && pets.length < petCount; k++) {
      const species = peopleRng.weighted(
        SPECIES,
        SPECIES.map((s) => s.weight),
      );
      const age = peopleRng.next();
      pets.push({
        id: String(40001 + pets.length),
        name: peopleRng.pick(PET_NAMES),
        species,
        breed: peopleRng.pick(species.breeds),
        owner,
        young: age < 0.12,
        senior: age > 0.78,
      });
    }
  }

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

  // ---- the schedule -------------------------------------------------------------------------
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

  // ---- statuses, audit times, consultations --------------------------------------------------
  const appointments: AppointmentScenarioInput[] = [];
  const consultations: ConsultationScenarioInput[] = [];
  drafts.forEach((draft, index) => {
    const id = String(200001 + index);
    const start = localOf(draft.date, draft.startMin);
    const end = addMinutesLocal(start, draft.duration);
    const leadDays = statusRng.int(1, 30);
    let bookedAt = `${addDays(draft.date, -leadDays)} ${timeOfMinutes(statusRng.int(8 * 4, 17 * 4) * 15)}:00`;
    if (bookedAt > nowLocal) bookedAt = addMinutesLocal(nowLocal, -statusRng.int(10, 600));
    if (bookedAt >= start) bookedAt = addMinutesLocal(start, -statusRng.int(30, 600));
    const bookedBy = statusRng.pick(FRONT_DESK);

    if (draft.block) {
      appointments.push({
        id,
        start: start.replace(' ', 'T').slice(0, 16),
        durationMinutes: draft.duration,
        status: 'not_arrived',
        title: draft.block.title,
        ...(draft.roomId ? { roomId: draft.roomId } : {}),
        ...(draft.providerId ? { providerId: draft.providerId } : {}),
        isBlock: !draft.block.roster,
        isRoster: draft.block.roster,
        recurring: true,
        bookedBy: 'Practice Manager',
        bookedAt: `${addDays(draft.date, -60)} 09:00:00`,
      });
      return;
    }

    const kind = draft.kind!;
    const pet = draft.pet!;
    const r = statusRng.next();
    let status: ScenarioStatus;
    if (end <= nowLocal) {
      if (r < cancellationRate) status = 'cancelled';
      else if (r < cancellationRate + noShowRate) status = 'no_show';
      else if (draft.date === today && minutesBetweenLocal(end, nowLocal) < 60 && statusRng.chance(0.5))
        status = 'ready_to_pay';
      else status = 'finalized';
    } else if (start <= nowLocal) {
      if (r < cancellationRate) status = 'cancelled';
      else status = minutesBetweenLocal(start, nowLocal) < 10 ? 'arrived' : 'in_progress';
    } else {
      const daysAway = minutesBetweenLocal(nowLocal, start) / 1440;
      if (r < cancellationRate) status = 'cancelled';
      else if (daysAway < 0.02 && statusRng.chance(0.4)) status = 'arrived';
      else if (statusRng.chance(daysAway < 3 ? 0.6 : 0.25)) status = 'confirmed';
      else status = 'not_arrived';
    }

    let arrivedAt: LocalDateTime | undefined;
    let updatedAt: LocalDateTime | undefined;
    let cancelledReason: string | undefined;
    if (['arrived', 'in_progress', 'ready_to_pay', 'finalized'].includes(status)) {
      arrivedAt = minLocal(addMinutesLocal(start, -statusRng.int(2, 12)), nowLocal);
      updatedAt =
        status === 'finalized' ? minLocal(addMinutesLocal(end, statusRng.int(5, 40)), nowLocal) : arrivedAt;
    } else if (status === 'cancelled') {
      const until = minLocal(start, nowLocal);
      const span = Math.max(1, minutesBetweenLocal(bookedAt, until));
      updatedAt = addMinutesLocal(bookedAt, Math.floor(span * (0.3 + 0.6 * statusRng.next())));
      cancelledReason = statusRng.pick(CANCEL_REASONS);
    } else if (status === 'no_show') {
      updatedAt = minLocal(addMinutesLocal(start, 20), nowLocal);
    }
    if (updatedAt && updatedAt < bookedAt) updatedAt = bookedAt;

    const appt: AppointmentScenarioInput = {
      id,
      start: start.replace(' ', 'T').slice(0, 16),
      durationMinutes: draft.duration,
      status,
      type: kind.type,
      reason: draft.reason!,
      providerId: draft.providerId!,
      roomId: draft.roomId!,
      patient: { id: pet.id, name: pet.name, species: pet.species.species, breed: pet.breed },
      client: {
        id: pet.owner.id,
        title: pet.owner.title,
        firstName: pet.owner.firstName,
        lastName: pet.owner.lastName,
        phone: pet.owner.phone,
        email: pet.owner.email,
      },
      consultationId: null,
      bookedBy,
      bookedAt,
      ...(updatedAt ? { updatedAt } : {}),
      ...(arrivedAt ? { arrivedAt } : {}),
      ...(cancelledReason ? { cancelledReason } : {}),
      ...(kind.surgical ? { estimateId: String(700001 + index) } : {}),
    };

    const seen = ['finalized', 'ready_to_pay', 'in_progress'].includes(status);
    if (seen && clinicalRng.next() < consultationRate) {
      const provider = providers.find((p) => p.id === draft.providerId)!;
      const k = consultationFor({
        rng: clinicalRng,
        id: String(500001 + consultations.length),
        kind,
        reason: draft.reason!,
        condition: draft.condition,
        pet,
        provider: provider.name,
        status,
        end,
        appointmentUpdated: updatedAt ?? end,
        nowLocal,
      });
      consultations.push(k);
      appt.consultationId = k.id;
    }
    appointments.push(appt);
  });

  return {
    companyId: opts.companyId,
    name: opts.name,
    username: opts.username ?? 'frontdesk',
    password: opts.password ?? 'Sim-Pass-2026!',
    timezone: tz,
    businessHours,
    slotInterval,
    rooms,
    providers,
    appointmentTypes,
    appointments,
    consultations,
    ...(opts.mfa !== undefined ? { mfa: opts.mfa } : {}),
    ...(opts.showCompanyId !== undefined ? { showCompanyId: opts.showCompanyId } : {}),
  };
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

interface ConsultationInput {
  rng: Rng;
  id: string;
  kind: VisitKind;
  reason: string;
  condition: Condition | null;
  pet: Pet;
  provider: string;
  status: ScenarioStatus;
  end: LocalDateTime;
  appointmentUpdated: LocalDateTime;
  nowLocal: LocalDateTime;
}

function consultationFor(x: ConsultationInput): ConsultationScenarioInput {
  const { rng, kind, pet, condition } = x;
  const sp = pet.species;
  const between = (range: [number, number]) => range[0] + (range[1] - range[0]) * rng.next();
  const vitals = {
    weightKg: round1(Math.max(0.1, between(sp.weightKg))),
    temperatureC: round1(between(sp.temperatureC)),
    pulse: Math.round(between(sp.pulse)),
    respiration: Math.round(between(sp.respiration)),
  };
  const bcs = rng.weighted([4, 5, 6, 7], [15, 50, 25, 10]);
  const vaccines = VACCINES[sp.species] ?? [];
  const pickSome = (list: string[], min: number, max: number) =>
    shuffle(rng, list).slice(0, Math.min(list.length, rng.int(min, max)));
  const lines: { productService: string; quantity: number; isDeclined: boolean }[] = [];
  const line = (productService: string, quantity = 1, isDeclined = false) =>
    lines.push({ productService, quantity, isDeclined });
  let diagnoses: string[];
  let history = 'Owner reports no concerns; eating, drinking, urinating and defecating normally.';
  let findings =
    'Bright, alert and responsive. EENT within normal limits; heart and lungs auscult normally; abdomen soft and non-painful; skin and coat healthy.';
  let plan: string;
  let home: string;

  switch (kind.type) {
    case 'Wellness Exam': {
      line('Comprehensive physical examination');
      const given = pickSome(vaccines, 1, 3);
      given.forEach((v) => line(v));
      const dogOrCat = sp.species === 'Canine' || sp.species === 'Feline';
      if (sp.species === 'Canine') {
        if (rng.chance(0.6)) line('Heartworm test (SNAP 4Dx Plus)');
        line('Simparica Trio, 6 doses', 1, rng.chance(0.2));
      }
      if (sp.species === 'Feline') line('Revolution Plus, 6 doses', 1, rng.chance(0.3));
      if (rng.chance(0.4)) line('Fecal flotation');
      diagnoses = ['Healthy - wellness examination'];
      if (bcs >= 6) diagnoses.push(`Overweight (BCS ${bcs}/9)`);
      if (dogOrCat && rng.chance(0.3)) diagnoses.push('Dental calculus, grade 1');
      if (given.length > 0) {
        plan = 'Vaccines given as listed. Continue parasite prevention. Diet and exercise discussed.';
        home =
          '{pet} may be a little sleepy for a day after the vaccines. Call us if you notice facial swelling, vomiting or hives.';
      } else {
        if (!dogOrCat) history = 'Owner reports no concerns; eating well and active. Husbandry reviewed.';
        plan = 'Diet, husbandry and enrichment reviewed. Next wellness visit in 12 months.';
        home = '{pet} is in good health. Keep up the current diet and routine.';
      }
      break;
    }
    case 'Sick Visit': {
      const c = condition ?? CONDITIONS[0];
      line('Examination - sick visit');
      c.products.forEach((p) =>
        line(p, p.includes('tablets') || p.includes('capsules') ? rng.pick([10, 14, 20, 30]) : 1),
      );
      diagnoses = [...c.diagnoses];
      history = `Owner reports ${c.history}.`;
      findings = c.findings;
      plan = c.plan;
      home = c.home;
      break;
    }
    case 'Recheck': {
      line('Recheck examination');
      const map: Record<string, [string, string]> = {
        'Ear infection recheck': ['Otitis externa - resolving', 'Ear cytology'],
        'Skin recheck': ['Dermatitis - improving', 'Skin cytology'],
        'Post-op recheck': ['Post-operative check - incision healing well', 'Suture removal'],
        'Weight check': ['Weight management', 'Weight management diet, dry 8 lb'],
      };
      const [dx, product] = map[x.reason] ?? ['Recheck - improving', 'Recheck examination'];
      line(product);
      diagnoses = [dx];
      history = 'Owner reports good improvement since the last visit; all medication given as directed.';
      plan = 'Continue current plan. Recheck only if signs return.';
      home = '{pet} is doing well. Finish any remaining medication as labelled.';
      break;
    }
    case 'Vaccination': {
      line('Technician visit');
      const given = pickSome(vaccines, 1, 2);
      (given.length ? given : ['Rabies vaccine (3 year)']).forEach((v) => line(v));
      diagnoses = ['Vaccination'];
      findings = 'Bright, alert and responsive. Temperature normal; cleared for vaccination.';
      plan = 'Vaccines administered; next boosters scheduled.';
      home = 'Mild soreness at the injection site is normal for a day or two.';
      break;
    }
    case 'New Patient Exam': {
      line('New patient examination');
      pickSome(vaccines, 1, 2).forEach((v) => line(v));
      if (sp.species !== 'Reptile' && sp.species !== 'Avian' && rng.chance(0.5))
        line('Microchip implantation', 1, rng.chance(0.2));
      const mammalPet = sp.species === 'Canine' || sp.species === 'Feline';
      if (mammalPet) line('Deworming (pyrantel pamoate)');
      diagnoses = ['Healthy - new patient'];
      if (mammalPet && rng.chance(0.25)) diagnoses.push('Intestinal parasites (roundworms)');
      plan = 'Vaccine and deworming schedule started. Discussed nutrition, training and spay/neuter timing.';
      home = 'Welcome to the practice! Bring {pet} back in 3-4 weeks for the next vaccines.';
      break;
    }
    case 'Senior Wellness': {
      line('Comprehensive physical examination');
      line('Senior wellness panel (chemistry, CBC, T4, urinalysis)');
      line('Blood pressure measurement');
      diagnoses = ['Senior wellness'];
      if (rng.chance(0.3)) diagnoses.push('Osteoarthritis');
      if (rng.chance(0.2)) diagnoses.push('Chronic kidney disease, IRIS stage 1');
      findings =
        'Bright and alert. Mild muscle loss over the hindquarters; grade 2 dental calculus; otherwise unremarkable.';
      plan = 'Bloodwork submitted; results to be called through. Joint supplement recommended.';
      home = 'We will call you with the bloodwork results. Keep up gentle daily exercise.';
      break;
    }
    case 'Dental Cleaning': {
      const extractions = rng.int(0, 4);
      line('Pre-anesthetic bloodwork');
      line('Anesthesia, per 30 minutes', 2);
      line('Dental prophylaxis (COHAT)');
      line('Full-mouth dental radiographs');
      if (extractions > 0) line('Extraction, simple', extractions);
      line('IV fluids during anesthesia');
      line('Carprofen 25 mg chewable', 7);
      if (rng.chance(0.3)) line('Dental sealant (OraVet)', 1, true);
      diagnoses = [extractions > 0 ? 'Periodontal disease, stage 3' : 'Periodontal disease, stage 2'];
      findings = `Moderate calculus and gingivitis. ${extractions > 0 ? `${extractions} teeth extracted after radiographs.` : 'No extractions needed.'} Smooth anesthetic recovery.`;
      plan = 'Dental cleaning under general anesthesia completed. Soft food for 7 days.';
      home =
        'Feed soft food for a week and give the pain medication with food. Daily tooth brushing helps prevent tartar.';
      break;
    }
    case 'Surgery': {
      line('Pre-anesthetic bloodwork');
      line('Anesthesia, per 30 minutes', 3);
      const procedure = x.reason.startsWith('Spay')
        ? 'Ovariohysterectomy'
        : x.reason.startsWith('Neuter')
          ? 'Castration'
          : 'Mass removal with histopathology';
      line(procedure);
      line('Gabapentin 100 mg capsules', 10);
      line('E-collar');
      diagnoses = [
        procedure === 'Mass removal with histopathology'
          ? 'Cutaneous mass - removed, histopathology pending'
          : `Elective ${procedure.toLowerCase()}`,
      ];
      findings =
        'Procedure performed without complications. Incision closed with intradermal sutures. Smooth recovery.';
      plan = `${procedure} performed under general anesthesia. Recheck incision in 10-14 days.`;
      home =
        'Keep the e-collar on and limit activity for 14 days. Check the incision daily for swelling or discharge.';
      break;
    }
    case 'Nail Trim': {
      line('Nail trim');
      if (x.reason.includes('anal')) line('Anal gland expression');
      diagnoses = ['Grooming - nail trim'];
      findings = 'Nails overgrown; trimmed without incident.';
      plan = 'Nail trim performed.';
      home = 'Nails trimmed today. Next trim recommended in 6-8 weeks.';
      break;
    }
    default: {
      line('Dermatology consultation');
      line('Skin scraping');
      line('Skin cytology');
      if (rng.chance(0.6)) line('Apoquel 16 mg tablets', 30);
      diagnoses = [rng.pick(['Atopic dermatitis', 'Flea allergy dermatitis', 'Superficial pyoderma'])];
      history = 'Owner reports itching and hair loss for several weeks despite over-the-counter shampoo.';
      findings =
        'Patchy alopecia and erythema of flanks and ventrum; scraping negative for mites; cytology shows cocci.';
      plan = 'Medication dispensed; recheck in 3 weeks.';
      home = 'Give the medication as labelled and keep {pet} on monthly flea prevention.';
    }
  }

  const soapSubjective = `${pet.name} (${pet.breed}, ${sp.species.toLowerCase()}) presented for ${x.reason.toLowerCase()}. ${history}`;
  const soapObjective = `T ${vitals.temperatureC} C, HR ${vitals.pulse} bpm, RR ${vitals.respiration} brpm, Wt ${vitals.weightKg} kg, BCS ${bcs}/9. ${findings}`;
  const draft = x.status === 'in_progress';
  const notes = draft
    ? `S: ${soapSubjective}\nO: ${soapObjective}`
    : `S: ${soapSubjective}\nO: ${soapObjective}\nA: ${diagnoses.join('; ')}.\nP: ${plan}`;
  const dischargeSummary = draft
    ? ''
    : `${pet.name} was seen today by ${x.provider} for ${x.reason.toLowerCase()}. ${home.replaceAll('{pet}', pet.name)} Please call us with any questions.`;

  let status: string;
  let updatedAt: LocalDateTime;
  if (x.status === 'finalized') {
    status = rng.weighted(['Paid', 'Completed', 'Partially paid'], [75, 20, 5]);
    // Notes are usually finished within two hours of the visit; a few get a later addendum.
    updatedAt = rng.chance(0.06)
      ? addMinutesLocal(x.end, rng.int(1, 3) * 1440 + rng.int(0, 300))
      : addMinutesLocal(x.appointmentUpdated, rng.int(0, 120));
  } else if (x.status === 'ready_to_pay') {
    status = 'Unpaid';
    updatedAt = addMinutesLocal(x.end, rng.int(0, 15));
  } else {
    status = 'Draft';
    updatedAt = x.appointmentUpdated;
  }
  if (updatedAt > x.nowLocal) updatedAt = x.nowLocal;

  return {
    id: x.id,
    status: status as ConsultationScenarioInput['status'],
    reason: x.reason,
    description: `${kind.type}: ${x.reason}`,
    notes,
    dischargeSummary,
    diagnoses,
    lines,
    vitals,
    updatedAt,
  };
}
