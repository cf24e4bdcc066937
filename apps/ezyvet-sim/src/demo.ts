import { generateClinic, type GeneratedClinic } from '@pims/sim-scenario';

/**
 * The ezyVet demo clinic served when no scenario is given: "Harbour Vets" in Auckland, generated like
 * the Neo demo (Happy Paws). Its API credentials: client_id = companyId, client_secret = password,
 * any non-empty partner_id (CONTRACT section 10).
 */
export const HARBOUR_VETS = {
  companyId: 'harbour-vets',
  name: 'Harbour Vets',
  /** Unused by ezyVet's API (the scenario format asks for one). */
  username: 'harbour-vets-api',
  password: 'Harbour-Secret-2026!',
  timezone: 'Pacific/Auckland',
  /** Any non-empty partner id is accepted; this is the one the demo prints and `npm start` registers. */
  partnerId: 'pims-sync-demo-partner',
} as const;

/** The credentials a clinic registration needs: `pims:{provider:"ezyvet", baseUrl, partnerId, clientId, clientSecret}`. */
export const HARBOUR_VETS_CREDENTIALS = {
  partnerId: HARBOUR_VETS.partnerId,
  clientId: HARBOUR_VETS.companyId,
  clientSecret: HARBOUR_VETS.password,
} as const;

export interface DemoOptions {
  /** "Now" of the demo world (default real time). */
  now?: Date | string;
  daysBack?: number;
  daysForward?: number;
  visitsPerDay?: number;
}

export function demoClinic(opts: DemoOptions = {}): GeneratedClinic {
  const { partnerId: _partnerId, ...clinic } = HARBOUR_VETS;
  return generateClinic({
    seed: 'harbour-vets',
    ...clinic,
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
