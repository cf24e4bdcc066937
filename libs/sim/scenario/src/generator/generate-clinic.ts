import { isValidTimeZone } from '@pims/util';
import { parseInstant } from '../clock';
import { localNow } from '../local-time';
import { createRng } from '../prng';
import type { AppointmentScenarioInput, ClinicScenarioInput, ConsultationScenarioInput } from '../scenario';
import { generatePeople } from './people';
import { generateSchedule } from './schedule';
import { generateStaff } from './staff';
import { generateVisits } from './statuses';

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

const DEFAULT_HOURS = [
  { daysOfWeek: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '18:00' },
  { daysOfWeek: [6], startTime: '09:00', endTime: '13:00' },
];

/**
 * A deterministic, realistic clinic: clients and pets, a schedule around "today" with blocks and
 * rosters, cancellations and no-shows, and consultations (SOAP notes, diagnoses, product lines,
 * discharge summaries) for most past visits. The result is a scenario clinic (CONTRACT section 5).
 * Each part (staff, people, schedule, statuses, clinical) draws from its own fork of the seeded PRNG,
 * so a change in one part never shifts the random stream of another.
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

  const staff = generateStaff(staffRng, opts);
  const totalDays = daysBack + daysForward + 1;
  const { pets } = generatePeople(peopleRng, Math.max(20, Math.round(visitsPerDay * totalDays * 0.55)));
  const drafts = generateSchedule({
    scheduleRng,
    today,
    daysBack,
    daysForward,
    visitsPerDay,
    businessHours,
    withBlocks,
    staff,
    pets,
  });
  const { appointments, consultations } = generateVisits({
    statusRng,
    clinicalRng,
    drafts,
    nowLocal,
    today,
    consultationRate,
    cancellationRate,
    noShowRate,
    providers: staff.providers,
  });

  return {
    companyId: opts.companyId,
    name: opts.name,
    username: opts.username ?? 'frontdesk',
    password: opts.password ?? 'Sim-Pass-2026!',
    timezone: tz,
    businessHours,
    slotInterval,
    rooms: staff.rooms,
    providers: staff.providers,
    appointmentTypes: staff.appointmentTypes,
    appointments,
    consultations,
    ...(opts.mfa !== undefined ? { mfa: opts.mfa } : {}),
    ...(opts.showCompanyId !== undefined ? { showCompanyId: opts.showCompanyId } : {}),
  };
}
