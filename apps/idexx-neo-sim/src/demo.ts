import { generateClinic, type GeneratedClinic } from '@pims/sim-scenario';

/** The demo clinic served when no scenario is given (CONTRACT section 1). */
export const DEMO_CLINIC = {
  companyId: '8890',
  name: 'Happy Paws Veterinary',
  username: 'frontdesk',
  password: 'Sim-Pass-2026!',
  timezone: 'America/New_York',
} as const;

export interface DemoOptions {
  /** "Now" of the demo world (default real time). */
  now?: Date | string;
  daysBack?: number;
  daysForward?: number;
  visitsPerDay?: number;
}

export function demoClinic(opts: DemoOptions = {}): GeneratedClinic {
  return generateClinic({
    seed: 'happy-paws-veterinary',
    ...DEMO_CLINIC,
    daysBack: opts.daysBack ?? 21,
    daysForward: opts.daysForward ?? 21,
    visitsPerDay: opts.visitsPerDay ?? 10,
    now: opts.now,
  });
}

/** A scenario with the demo clinic: a few hundred appointments around today, consultations for past visits. */
export function demoScenario(opts: DemoOptions = {}): { clinics: GeneratedClinic[] } {
  return { clinics: [demoClinic(opts)] };
}
