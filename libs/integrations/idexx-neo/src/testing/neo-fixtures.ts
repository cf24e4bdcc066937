// Test fixtures for the integration tests against the IDEXX Neo simulator: a scenario with every Neo
// status word, blocks, rosters, malformed events and appointments on the window's edges, for clinics
// in a far-east, a far-west and a DST-changing zone; and a logger that records every line.
import type { PimsLogger } from '../logger';

/** The 28-day window the scenario is built around (clinic-local, inclusive). */
export const WINDOW = { from: '2026-10-19', to: '2026-11-15' } as const;

export interface ClinicFixture {
  companyId: string;
  username: string;
  password: string;
  timezone: string;
  /** UTC offset in hours of a clinic-local 'YYYY-MM-DDTHH:MM' (computed by hand, not by the code under test). */
  offsetHours: (local: string) => number;
}

export const KIRITIMATI: ClinicFixture = {
  companyId: '7001',
  username: 'kiri.front',
  password: 'Kiri-Pass-2026!x',
  timezone: 'Pacific/Kiritimati',
  offsetHours: () => 14,
};

export const PAGO_PAGO: ClinicFixture = {
  companyId: '7002',
  username: 'pago.front',
  password: 'Pago#Pass-2026y',
  timezone: 'Pacific/Pago_Pago',
  offsetHours: () => -11,
};

export const LOS_ANGELES: ClinicFixture = {
  companyId: '7003',
  username: 'la.front',
  password: 'LosAngeles$2026z',
  timezone: 'America/Los_Angeles',
  // PDT until 2026-11-01 02:00 local (01:00-01:59 that night is ambiguous: the first, PDT, one counts).
  offsetHours: (local) => (local < '2026-11-01T02:00' ? -7 : -8),
};

export const MFA_CLINIC: ClinicFixture = {
  companyId: '7100',
  username: 'mfa.front',
  password: 'Mfa-Pass-2026!w',
  timezone: 'Europe/London',
  offsetHours: () => 0,
};

export interface ExpectedVisit {
  suffix: string;
  start: string;
  durationMinutes: number;
  neoStatus: string;
  status: string;
  consultation?: string;
}

/** The visits inside WINDOW, per clinic (ids are `${companyId}-${suffix}`). */
export const VISITS: ExpectedVisit[] = [
  { suffix: 'V01', start: '2026-10-19T00:00', durationMinutes: 30, neoStatus: 'not_arrived', status: 'scheduled' },
  { suffix: 'V02', start: '2026-10-21T09:00', durationMinutes: 30, neoStatus: 'confirmed', status: 'confirmed' },
  { suffix: 'V03', start: '2026-10-25T23:45', durationMinutes: 15, neoStatus: 'arrived', status: 'checked_in' },
  { suffix: 'V04', start: '2026-10-26T00:00', durationMinutes: 30, neoStatus: 'in_progress', status: 'in_progress' },
  { suffix: 'V05', start: '2026-10-30T14:00', durationMinutes: 30, neoStatus: 'ready_to_pay', status: 'completed', consultation: 'K05' },
  { suffix: 'V06', start: '2026-11-02T10:30', durationMinutes: 20, neoStatus: 'finalized', status: 'completed', consultation: 'K06' },
  { suffix: 'V07', start: '2026-11-05T16:00', durationMinutes: 30, neoStatus: 'no_show', status: 'no_show' },
  { suffix: 'V08', start: '2026-11-09T11:00', durationMinutes: 30, neoStatus: 'cancelled', status: 'cancelled' },
  { suffix: 'V09', start: '2026-11-15T23:30', durationMinutes: 45, neoStatus: 'finalized', status: 'completed', consultation: 'K09' },
  { suffix: 'V10', start: '2026-11-01T01:30', durationMinutes: 30, neoStatus: 'confirmed', status: 'confirmed' },
];

/** Neo's status words as served on the wire, for the rawStatus check. */
export const WIRE_WORD: Record<string, string> = {
  not_arrived: 'not arrived',
  confirmed: 'confirmed',
  arrived: 'arrived',
  in_progress: 'in progress',
  ready_to_pay: 'ready to pay',
  finalized: 'finalized',
  no_show: 'no show',
  cancelled: 'cancelled',
};

export const BLOCKS_AND_ROSTERS = 4;
export const MALFORMED = 2;

/** A scenario clinic (CONTRACT section 5 format) for one fixture. */
export function clinicScenario(c: ClinicFixture, extra: { mfa?: boolean; showCompanyId?: boolean; consultationCount?: number } = {}) {
  const id = (s: string) => `${c.companyId}-${s}`;
  const patient = (n: number) => ({ id: `P-${n}`, name: `Pet ${n}`, species: n % 2 ? 'Canine' : 'Feline', breed: n % 2 ? 'Beagle' : 'Siamese' });
  const client = (n: number) => ({ id: `C-${n}`, firstName: `First${n}`, lastName: `Last${n}`, phone: `+1555000${String(n).padStart(4, '0')}`, email: `owner${n}@example.com` });
  const visits = VISITS.map((v, i) => ({
    id: id(v.suffix),
    start: v.start,
    durationMinutes: v.durationMinutes,
    status: v.neoStatus,
    type: 'Wellness Exam',
    reason: `Reason ${v.suffix}`,
    providerId: 'p1',
    roomId: i % 2 ? 'r2' : 'r1',
    patient: patient(i + 1),
    client: client(i + 1),
    consultationId: v.consultation ? id(v.consultation) : null,
    ...(v.neoStatus === 'cancelled' ? { cancelledReason: 'Owner called' } : {}),
  }));
  // Extra past visits with consultations, for the longer fetches of the resilience tests.
  const extraCount = extra.consultationCount ?? 0;
  const extras = Array.from({ length: extraCount }, (_, i) => ({
    id: id(`X${String(i + 1).padStart(2, '0')}`),
    start: `2026-11-${String(3 + (i % 10)).padStart(2, '0')}T${String(8 + Math.floor(i / 10)).padStart(2, '0')}:15`,
    durationMinutes: 15,
    status: 'finalized' as const,
    type: 'Consult',
    providerId: 'p2',
    roomId: 'r1',
    patient: patient(100 + i),
    client: client(100 + i),
    consultationId: id(`KX${i + 1}`),
  }));
  return {
    companyId: c.companyId,
    name: `Clinic ${c.companyId}`,
    username: c.username,
    password: c.password,
    timezone: c.timezone,
    businessHours: [
      { daysOfWeek: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '18:00' },
      { daysOfWeek: [6, 7], startTime: '09:00', endTime: '13:00' },
    ],
    slotInterval: 15,
    rooms: [
      { id: 'r1', name: 'Exam 1' },
      { id: 'r2', name: 'Exam 2' },
    ],
    providers: [
      { id: 'p1', name: 'Dr. Rivera' },
      { id: 'p2', name: 'Dr. Chen' },
    ],
    mfa: extra.mfa ?? false,
    showCompanyId: extra.showCompanyId ?? true,
    appointments: [
      ...visits,
      ...extras,
      { id: id('OUT1'), start: '2026-10-18T23:59', status: 'finalized', patient: patient(90), client: client(90) },
      { id: id('OUT2'), start: '2026-11-16T00:00', status: 'confirmed', patient: patient(91), client: client(91) },
      { id: id('BLK1'), start: '2026-10-22T12:00', durationMinutes: 60, isBlock: true, title: 'Lunch' },
      { id: id('BLK2'), start: '2026-11-10T12:00', durationMinutes: 60, isBlock: true, title: 'Surgery block', roomId: 'r2' },
      { id: id('ROS1'), start: '2026-10-20T08:00', durationMinutes: 480, isRoster: true, providerId: 'p1' },
      { id: id('ROS2'), start: '2026-11-12T08:00', durationMinutes: 480, isRoster: true, providerId: 'p2' },
      { id: id('MAL1'), start: '2026-10-28T09:00', status: 'confirmed', patient: patient(80), client: client(80), malformed: 'missing_id' as const },
      { id: id('MAL2'), start: '2026-11-11T09:00', status: 'confirmed', patient: patient(81), client: client(81), malformed: 'missing_start' as const },
    ],
    consultations: [
      {
        id: id('K05'),
        status: 'Unpaid' as const,
        reason: 'Limping',
        notes: 'S: limping for 2 days. O: swelling left fore. A: sprain. P: rest, NSAID.',
        dischargeSummary: 'Keep Pet 5 rested for 48 hours; give the anti-inflammatory with food.',
        diagnoses: ['Carpal sprain', 'Soft tissue injury'],
        lines: [
          { productService: 'Meloxicam 1.5mg/ml', quantity: 2, isDeclined: false },
          { productService: 'Radiograph', quantity: 1, isDeclined: true },
        ],
        updatedAt: '2026-10-30T15:00',
      },
      {
        id: id('K06'),
        status: 'Completed' as const,
        notes: 'Annual wellness: all normal.',
        dischargeSummary: 'See you next year.',
        diagnoses: ['Healthy'],
        lines: [{ productService: 'Rabies vaccine', quantity: 1, isDeclined: false }],
      },
      { id: id('K09'), status: 'Draft' as const },
      ...extras.map((_e, i) => ({
        id: id(`KX${i + 1}`),
        status: 'Paid' as const,
        notes: `Notes for extra visit ${i + 1}`,
        dischargeSummary: `Discharge ${i + 1}`,
        diagnoses: [`Diagnosis ${i + 1}`],
        lines: [{ productService: `Product ${i + 1}`, quantity: i + 1, isDeclined: false }],
      })),
    ],
  };
}

/** Credentials of a fixture for the provider. */
export function credentialsOf(c: ClinicFixture, baseUrl: string, over: { password?: string; companyId?: string | null } = {}) {
  return { baseUrl, companyId: over.companyId === undefined ? c.companyId : over.companyId, username: c.username, password: over.password ?? c.password };
}

/**
 * The UTC instant (ISO) of a fixture's clinic-local 'YYYY-MM-DDTHH:MM' plus minutes of wall-clock time
 * (Neo's start and end are wall-clock values: an end is start + duration on the clinic's clock).
 */
export function expectedInstant(c: ClinicFixture, local: string, plusMinutes = 0): string {
  const wall = new Date(Date.parse(`${local}:00Z`) + plusMinutes * 60_000).toISOString().slice(0, 16);
  return new Date(Date.parse(`${wall}:00Z`) - c.offsetHours(wall) * 3_600_000).toISOString();
}

/** A logger that keeps every line (as JSON) for the "no password in logs" checks. */
export function recordingLogger(): { logger: PimsLogger; lines: string[] } {
  const lines: string[] = [];
  const rec = (level: string) => (fields: Record<string, unknown>, message: string) => {
    lines.push(JSON.stringify({ level, message, fields }));
  };
  return { logger: { debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') }, lines };
}

/** Everything an error exposes (message, stack, details, cause chain), as one string. */
export function everythingOf(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth += 1) {
    if (e instanceof Error) {
      parts.push(e.message, e.stack ?? '', JSON.stringify(e), JSON.stringify((e as { details?: unknown }).details ?? null));
      e = (e as { cause?: unknown }).cause;
    } else {
      parts.push(String(e));
      e = null;
    }
  }
  return parts.join('\n');
}
