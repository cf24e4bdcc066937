// Shared by the integration tests: a generated clinic in the ezyVet simulator, its credentials, and
// a logger that records every line (to prove no secret reaches one).
import { generateClinic, type GeneratedClinic } from '@pims/sim-scenario';
import type { EzyvetCredentials } from '@pims/pims';
import type { PimsLogger } from '../logger';

export const NOW = '2026-11-18T15:00:00Z';
export const PARTNER_ID = 'partner-int';

export interface TestClinic {
  companyId: string;
  password: string;
  timezone: string;
}

/** A generated clinic (same seed, same data) around NOW. */
export function clinic(c: TestClinic, opts: { visitsPerDay?: number; daysBack?: number; daysForward?: number } = {}): GeneratedClinic {
  return generateClinic({
    seed: `ezyvet-${c.companyId}`,
    companyId: c.companyId,
    name: `Clinic ${c.companyId}`,
    timezone: c.timezone,
    username: 'api',
    password: c.password,
    daysBack: opts.daysBack ?? 20,
    daysForward: opts.daysForward ?? 20,
    visitsPerDay: opts.visitsPerDay ?? 12,
    now: NOW,
  });
}

export function credentialsOf(c: TestClinic, baseUrl: string): EzyvetCredentials {
  return { provider: 'ezyvet', baseUrl, partnerId: PARTNER_ID, clientId: c.companyId, clientSecret: c.password };
}

export function recordingLogger(): { logger: PimsLogger; lines: string[] } {
  const lines: string[] = [];
  const write = (fields: Record<string, unknown>, message: string) => lines.push(`${message} ${JSON.stringify(fields)}`);
  return { logger: { debug: write, info: write, warn: write, error: write }, lines };
}

/** A clinic-local date `days` from NOW's date in the zone. */
export function dayFromNow(zone: string, days: number): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(NOW));
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
