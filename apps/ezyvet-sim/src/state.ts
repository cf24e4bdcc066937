import { randomBytes } from 'node:crypto';
import {
  ScenarioState,
  resolveScenarioClinic,
  type Appointment,
  type AppointmentType,
  type ClinicScenario,
  type Consultation,
  type SimClock,
} from '@pims/sim-scenario';
import { ENDPOINTS, RESOURCES, type Endpoint, type Resource } from './endpoints';
import { COUNTER_START, newStores, type EzyClinic } from './model';
import { RateLimiter, type RateLimits } from './rate-limit';
import { renderClinic } from './records';

/** ezyVet's bearer tokens live 12 hours (docs/ezyvet-wire.md section 2). */
export const TOKEN_TTL_SECONDS = 43_200;
const MAX_TOKENS = 10_000;

interface Token {
  companyId: string;
  /** Real time of the grant (ms), for sessionTtlSeconds. */
  issuedAtMs: number;
  /** The simulator clock at the grant (ms), for the 12 hours (setNow moves past them). */
  issuedAtSimMs: number;
  ttlSeconds: number;
}

/**
 * The appointment types the scenario does not list are made per name (t1, t2, ... in order of first
 * use); a name the clinic had before keeps its id, so leaving an appointment out of a later scenario
 * does not renumber the types (and change every other appointment's type_id).
 */
function stableTypeIds(
  types: AppointmentType[],
  c: ClinicScenario,
  previous: EzyClinic | undefined,
): AppointmentType[] {
  if (!previous) return types;
  const given = new Set((c.appointmentTypes ?? []).map((t) => t.id));
  const before = new Map(previous.appointmentTypes.map((t) => [t.name.toLowerCase(), t.id]));
  const taken = new Set(types.filter((t) => given.has(t.id)).map((t) => t.id));
  const out = types.map((t) => {
    if (given.has(t.id)) return t;
    const old = before.get(t.name.toLowerCase());
    if (old && !taken.has(old)) {
      taken.add(old);
      return { ...t, id: old };
    }
    return { ...t, id: '' };
  });
  let n = 0;
  for (const t of out) {
    if (t.id !== '') continue;
    do n += 1;
    while (taken.has(`t${n}`) || [...before.values()].includes(`t${n}`));
    t.id = `t${n}`;
    taken.add(t.id);
  }
  return out;
}

/** What must get a fresh modified_at although its rendering may not have changed (a control-API change). */
type Forced = Partial<Record<Resource, Set<string>>>;

/**
 * Everything the ezyVet simulator holds: the shared scenario state (clinics, faults, stats, clock and
 * the control API's data changes), ezyVet's tokens, its rate limiter, and per clinic the record
 * stores that keep `created_at` / `modified_at` / `active`.
 */
export class EzyState extends ScenarioState<EzyClinic, Endpoint> {
  private readonly tokens = new Map<string, Token>();
  readonly rateLimiter: RateLimiter;

  constructor(clock: SimClock, limits: Partial<RateLimits> = {}) {
    super(clock, ENDPOINTS);
    this.rateLimiter = new RateLimiter(limits);
  }

  /** Epoch seconds of the simulator's clock. */
  nowEpoch(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }

  protected buildClinic(c: ClinicScenario, now: Date, previous: EzyClinic | undefined): EzyClinic {
    const base = resolveScenarioClinic(c, now);
    const clinic: EzyClinic = {
      ...base,
      appointmentTypes: stableTypeIds(base.appointmentTypes, c, previous),
      created: { contacts: new Map(), details: new Map(), animals: new Map() },
      // Kept across loads: a record left out becomes active 0, an unchanged one keeps its times.
      stores: previous?.stores ?? newStores(),
      counters: previous ? { ...previous.counters } : { ...COUNTER_START },
      epochCache: new Map(),
    };
    this.resync(clinic, {}, Math.floor(now.getTime() / 1000));
    return clinic;
  }

  /** Renders the clinic and brings its stores in line (docs/ezyvet-wire.md section 6). */
  resync(clinic: EzyClinic, force: Forced = {}, now = this.nowEpoch()): void {
    const rendered = renderClinic(clinic);
    for (const r of RESOURCES) clinic.stores[r].sync(rendered[r], now, force[r]);
  }

  protected appointmentChanged(clinic: EzyClinic, a: Appointment): void {
    this.resync(clinic, { appointment: new Set([a.id]) });
  }

  protected appointmentRemoved(clinic: EzyClinic): void {
    this.resync(clinic);
  }

  protected consultationChanged(clinic: EzyClinic, k: Consultation): void {
    this.resync(clinic, { consult: new Set([k.id]) });
  }

  // ---- tokens --------------------------------------------------------------------------------

  /** A new bearer token for a clinic; older ones stay valid (docs/ezyvet-wire.md section 2). */
  grantToken(companyId: string): { token: string; expiresIn: number } {
    const ttl = this.faults.config.sessionTtlSeconds ?? TOKEN_TTL_SECONDS;
    const token = randomBytes(24).toString('hex');
    this.tokens.set(token, {
      companyId,
      issuedAtMs: Date.now(),
      issuedAtSimMs: this.clock.now().getTime(),
      ttlSeconds: ttl,
    });
    while (this.tokens.size > MAX_TOKENS) {
      const first = this.tokens.keys().next();
      if (first.done) break;
      this.tokens.delete(first.value);
    }
    return { token, expiresIn: Math.max(1, Math.ceil(ttl)) };
  }

  /**
   * The clinic of a live token, or null: unknown, revoked, the clinic removed, or expired — its
   * lifetime passed on the simulator's clock or in real time (so a short sessionTtlSeconds expires
   * under a fixed clock too).
   */
  tokenClinic(token: string | null): EzyClinic | null {
    if (!token) return null;
    const t = this.tokens.get(token);
    if (!t) return null;
    const ttlMs = (this.faults.config.sessionTtlSeconds ?? t.ttlSeconds) * 1000; // the fault ends tokens issued before it too, as Neo's sessions
    if (Date.now() - t.issuedAtMs >= ttlMs || this.clock.now().getTime() - t.issuedAtSimMs >= ttlMs)
      return null;
    return this.clinics.get(t.companyId) ?? null;
  }

  /** The company a token was granted to, expired or not (for stats). */
  tokenCompany(token: string | null): string | null {
    return (token && this.tokens.get(token)?.companyId) || null;
  }

  expireSessions(companyId?: string): number {
    let n = 0;
    for (const [token, t] of this.tokens) {
      if (!companyId || t.companyId === companyId) {
        this.tokens.delete(token);
        n += 1;
      }
    }
    return n;
  }

  /** Live tokens of a clinic (for GET /__sim/clinics). */
  liveTokens(companyId: string): number {
    let n = 0;
    for (const token of this.tokens.keys()) if (this.tokenClinic(token)?.companyId === companyId) n += 1;
    return n;
  }
}
