import { randomBytes } from 'node:crypto';
import {
  ScenarioState,
  SimError,
  type Appointment,
  type ClinicScenario,
  type SimClock,
} from '@pims/sim-scenario';
import { registerPeople, resolveClinic, type Clinic } from './model';
import { ENDPOINTS, type Endpoint } from './stats';

export {
  SimError,
  ConsultationPatchSchema,
  AppointmentPatchSchema,
  NewAppointmentSchema,
  parseOrThrow,
  type ConsultationPatch,
  type AppointmentPatch,
} from '@pims/sim-scenario';

const MAX_PENDING = 5_000;

interface Session {
  companyId: string;
  createdAtMs: number;
  /** The token the logged-in pages carry in `<meta name="csrf-token">`; every write must send it. */
  csrfToken: string;
}

interface CsrfEntry {
  token: string;
  seLoginRequest: string;
  createdAtMs: number;
}

function token(bytes = 24): string {
  return randomBytes(bytes).toString('hex');
}

function trim<K, V>(map: Map<K, V>): void {
  while (map.size > MAX_PENDING) {
    const first = map.keys().next();
    if (first.done) break;
    map.delete(first.value);
  }
}

/**
 * Everything the Neo simulator holds: the shared scenario state (clinics, faults, stats, clock and the
 * control API's data changes) plus Neo's sessions, CSRF tokens and client/patient register.
 */
export class SimState extends ScenarioState<Clinic, Endpoint> {
  private readonly sessions = new Map<string, Session>();
  private readonly csrf = new Map<string, CsrfEntry>();

  constructor(clock: SimClock) {
    super(clock, ENDPOINTS);
  }

  protected buildClinic(c: ClinicScenario, now: Date): Clinic {
    return resolveClinic(c, now);
  }

  /** Two clinics that hide company_id may not share a username (one login form serves them all). */
  protected checkClinics(clinics: Map<string, Clinic>): void {
    const hidden = new Map<string, string>();
    for (const c of clinics.values()) {
      if (c.showCompanyId) continue;
      const key = c.username.toLowerCase();
      const other = hidden.get(key);
      if (other)
        throw new SimError(
          `clinics ${other} and ${c.companyId} both hide company_id and share the username "${c.username}"`,
        );
      hidden.set(key, c.companyId);
    }
  }

  protected appointmentChanged(clinic: Clinic, a: Appointment): void {
    registerPeople(clinic, a);
  }

  /** Whether the shared login form shows company_id: unless every clinic hides it. */
  showCompanyIdField(): boolean {
    const all = [...this.clinics.values()];
    return all.length === 0 || all.some((c) => c.showCompanyId);
  }

  // ---- login -------------------------------------------------------------------------------

  /** The CSRF token bound to a pre-login cookie (a new cookie when it is missing or unknown). */
  csrfFor(cookie: string | undefined): {
    cookie: string;
    token: string;
    seLoginRequest: string;
    isNew: boolean;
  } {
    const existing = cookie ? this.csrf.get(cookie) : undefined;
    if (cookie && existing)
      return { cookie, token: existing.token, seLoginRequest: existing.seLoginRequest, isNew: false };
    const id = token(16);
    const entry: CsrfEntry = { token: token(20), seLoginRequest: token(8), createdAtMs: Date.now() };
    this.csrf.set(id, entry);
    trim(this.csrf);
    return { cookie: id, token: entry.token, seLoginRequest: entry.seLoginRequest, isNew: true };
  }

  checkCsrf(
    cookie: string | undefined,
    csrfToken: string | undefined,
    seLoginRequest: string | undefined,
  ): boolean {
    if (!cookie || !csrfToken || !seLoginRequest) return false;
    const entry = this.csrf.get(cookie);
    return !!entry && entry.token === csrfToken && entry.seLoginRequest === seLoginRequest;
  }

  dropCsrf(cookie: string | undefined): void {
    if (cookie) this.csrf.delete(cookie);
  }

  /** The clinic a login form names (for stats), whether or not the password is right. */
  identifyClinic(companyId: string | undefined, username: string | undefined): Clinic | null {
    if (companyId) return this.clinics.get(companyId) ?? null;
    if (!username) return null;
    const matches = [...this.clinics.values()].filter(
      (c) => c.username.toLowerCase() === username.toLowerCase(),
    );
    const hidden = matches.filter((c) => !c.showCompanyId);
    if (hidden.length === 1) return hidden[0];
    return matches.length === 1 ? matches[0] : null;
  }

  /**
   * The clinic whose credentials these are. With company_id: that clinic. Without it (the field is
   * not shown): the one clinic that hides company_id and has this username.
   */
  authenticate(companyId: string | undefined, username: string, password: string): Clinic | null {
    let clinic: Clinic | null;
    if (companyId) clinic = this.clinics.get(companyId) ?? null;
    else {
      const hidden = [...this.clinics.values()].filter(
        (c) => !c.showCompanyId && c.username.toLowerCase() === username.toLowerCase(),
      );
      clinic = hidden.length === 1 ? hidden[0] : null;
    }
    if (!clinic) return null;
    if (clinic.username.toLowerCase() !== username.toLowerCase() || clinic.password !== password) return null;
    return clinic;
  }

  createSession(companyId: string): string {
    const id = token(24);
    this.sessions.set(id, { companyId, createdAtMs: Date.now(), csrfToken: token(20) });
    trim(this.sessions);
    return id;
  }

  /** The live session's clinic, or null (unknown, expired by sessionTtlSeconds, clinic removed). */
  sessionClinic(id: string | undefined): Clinic | null {
    return this.liveSession(id)?.clinic ?? null;
  }

  /** The live session's clinic and CSRF token, or null. */
  liveSession(id: string | undefined): { clinic: Clinic; csrfToken: string } | null {
    if (!id) return null;
    const s = this.sessions.get(id);
    if (!s) return null;
    const ttl = this.faults.config.sessionTtlSeconds;
    if (ttl !== undefined && Date.now() - s.createdAtMs > ttl * 1000) return null;
    const clinic = this.clinics.get(s.companyId);
    return clinic ? { clinic, csrfToken: s.csrfToken } : null;
  }

  /** The company a session cookie belongs to, expired or not (for stats). */
  sessionCompany(id: string | undefined): string | null {
    return (id && this.sessions.get(id)?.companyId) || null;
  }

  endSession(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  /** Ends every session (of one clinic, or all): the next JSON call sees an expired session. */
  expireSessions(companyId?: string): number {
    let n = 0;
    for (const [id, s] of this.sessions) {
      if (!companyId || s.companyId === companyId) {
        this.sessions.delete(id);
        n += 1;
      }
    }
    return n;
  }
}
