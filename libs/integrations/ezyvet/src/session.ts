import pLimit from 'p-limit';
import { isPimsError, pimsBadResponse, PimsLocalDate, type AppointmentsResult, type PimsAppointment, type PimsCallOptions, type PimsConsultation, type PimsScheduleConfig, type PimsSession } from '@pims/pims';
import { AppError, addDays, instantOfLocalCompatible } from '@pims/util';
import { ClinicCache } from './cache';
import type { EzyvetHttp, Query } from './http';
import type { SafeLogger } from './logger';
import { toAppointment, toConsultation, toScheduleConfig, type Lookups } from './normalize';
import { normalizeRanges, uncoveredParts, type DateRange } from './ranges';
import type { EzyvetWrites } from './writes';
import {
  EzAnimal,
  EzAppointment,
  EzAppointmentStatus,
  EzAppointmentType,
  EzClinicalNote,
  EzConsult,
  EzContact,
  EzContactDetail,
  EzInvoiceLine,
  EzNamed,
  EzPresentingProblemLink,
  EzResource,
  EzSiteInformation,
  parseRecords,
  rawId,
} from './wire';

/** Ids per `in` filter (URL length). */
export const IN_CHUNK = 100;

/** The reference lists of a site, read once per session (and again when a record names an unknown id). */
export interface Refs {
  statuses: Map<string, EzAppointmentStatus>;
  types: Map<string, EzAppointmentType>;
  resources: Map<string, EzResource>;
  detailTypes: Map<string, EzNamed>;
  loadedAt: number;
}

export interface SessionConfig {
  http: EzyvetHttp;
  timezone: string;
  logger: SafeLogger;
  /** The clinic's cache (kept by the provider, per baseUrl+partnerId+clientId). */
  cache: () => ClinicCache;
  /** Seconds subtracted from the mark of the last fetch when asking what changed since (default 300). */
  safetyMarginSeconds: number;
  /** Reference lists older than this are read again (default 10 minutes). */
  refsTtlMs: number;
  /** Records of the last incremental fetch answer getAppointment for this long without a request. */
  recentTtlMs: number;
  /** Requests in flight for one consultation's parts and for lookups (default 4). */
  concurrency: number;
  /** A cache brought up to date less than this ago answers without asking ezyVet what changed (default 5 s). */
  recheckAfterMs: number;
  /** Records per page (ezyVet's `limit`, default 200). */
  pageSize: number;
  /** Our clock (ms), for the ages above. */
  now: () => number;
  onClose: () => void;
  writes: (session: EzyvetSession) => EzyvetWrites;
}

/** Per-clinic lock: fetch-and-merge of one clinic's cache runs one at a time. */
const locks = new WeakMap<ClinicCache, Promise<unknown>>();
function exclusive<T>(cache: ClinicCache, fn: () => Promise<T>): Promise<T> {
  const prev = locks.get(cache) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  locks.set(
    cache,
    run.catch(() => undefined),
  );
  return run;
}

function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

function validDate(name: string, v: string): string {
  if (!PimsLocalDate.safeParse(v).success || addDays(v, 0) !== v) throw new AppError('invalid_input', `${name} must be a date YYYY-MM-DD`, { status: 400 });
  return v;
}

/** One clinic's ezyVet, logged in with a bearer token (docs/ezyvet-wire.md). */
export class EzyvetSession implements PimsSession {
  private refsPromise: Promise<Refs> | null = null;
  private closed = false;
  readonly writes: EzyvetWrites;
  /** Appointment requests this session made (for tests; the simulator counts them too). */
  readonly counters = { appointmentRequests: 0 };
  /** Records the last incremental fetch returned (inactive and moved ones included), by id. */
  private recent = new Map<string, EzAppointment>();
  private recentAt = 0;

  constructor(readonly config: SessionConfig) {
    this.writes = config.writes(this);
  }

  get http(): EzyvetHttp {
    return this.config.http;
  }

  get timezone(): string {
    return this.config.timezone;
  }

  private ensureOpen(): void {
    if (this.closed) throw new AppError('pims_session_closed', 'The ezyVet session has been closed', { status: 503, retryable: true });
  }

  // ---- lists ------------------------------------------------------------------------------------

  async listAll<T>(endpoint: string, path: string, schema: import('zod').ZodType<T>, query: Query, signal?: AbortSignal): Promise<{ ok: T[]; raw: unknown[]; timestamp: number | null }> {
    const r = await this.http.list(endpoint, endpoint, path, query, signal, this.config.pageSize);
    if (endpoint === 'appointment') this.counters.appointmentRequests += r.requests;
    const parsed = parseRecords(schema, r.records);
    return { ok: parsed.ok, raw: r.records, timestamp: r.timestamp };
  }

  /** Records by id, `IN_CHUNK` ids a request. */
  async byIds<T>(endpoint: string, path: string, schema: import('zod').ZodType<T>, ids: readonly string[], signal?: AbortSignal, extra: Query = {}): Promise<T[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const run = pLimit(this.config.concurrency);
    const parts = await Promise.all(chunks(unique, IN_CHUNK).map((c) => run(() => this.listAll(endpoint, path, schema, { ...extra, id: { in: c } }, signal))));
    return parts.flatMap((p) => p.ok);
  }

  async refs(signal?: AbortSignal, reload = false): Promise<Refs> {
    if (this.refsPromise && !reload) {
      const r = await this.refsPromise;
      if (this.config.now() - r.loadedAt < this.config.refsTtlMs) return r;
    }
    const load = async (): Promise<Refs> => {
      const [statuses, types, resources, detailTypes] = await Promise.all([
        this.listAll('appointmentstatus', '/v1/appointmentstatus', EzAppointmentStatus, {}, signal),
        this.listAll('appointmenttype', '/v2/appointmenttype', EzAppointmentType, {}, signal),
        this.listAll('resource', '/v2/resource', EzResource, {}, signal),
        this.listAll('contactdetailtype', '/v1/contactdetailtype', EzNamed, {}, signal),
      ]);
      const byId = <T extends { id: string }>(xs: T[]) => new Map(xs.map((x) => [x.id, x]));
      return { statuses: byId(statuses.ok), types: byId(types.ok), resources: byId(resources.ok), detailTypes: byId(detailTypes.ok), loadedAt: this.config.now() };
    };
    const p = load();
    this.refsPromise = p;
    p.catch(() => {
      if (this.refsPromise === p) this.refsPromise = null;
    });
    return p;
  }

  // ---- the cache ----------------------------------------------------------------------------------

  /** What changed since the mark: appointments and the records they refer to. */
  private async incremental(cache: ClinicCache, signal?: AbortSignal): Promise<void> {
    const since = Math.max(0, (cache.mark as number) - this.config.safetyMarginSeconds);
    const q: Query = { modified_at: { gte: since } };
    const [appts, animals, contacts, details, consults] = await Promise.all([
      this.listAll('appointment', '/v2/appointment', EzAppointment, q, signal),
      this.listAll('animal', '/v1/animal', EzAnimal, q, signal),
      this.listAll('contact', '/v1/contact', EzContact, q, signal),
      this.listAll('contactdetail', '/v1/contactdetail', EzContactDetail, q, signal),
      this.listAll('consult', '/v1/consult', EzConsult, q, signal),
    ]);
    cache.mergeChanges(appts.raw);
    cache.mergeAnimals(animals.ok);
    cache.mergeContacts(contacts.ok);
    cache.mergeDetails(details.ok);
    cache.mergeConsults(consults.ok);
    if (appts.timestamp !== null) cache.mark = appts.timestamp;
    cache.checkedAt = this.config.now();
    // Unreadable ones are left out: getAppointment asks ezyVet for them.
    this.recent = new Map(appts.ok.map((a) => [a.id, a]));
    this.recentAt = this.config.now();
  }

  /** Every active appointment starting in `range` (the clinic's days), fetched in full. */
  private async fullFetch(cache: ClinicCache, range: DateRange, signal?: AbortSignal): Promise<number | null> {
    const zone = this.config.timezone;
    const from = instantOfLocalCompatible(range.from, '00:00', zone);
    const to = instantOfLocalCompatible(addDays(range.to, 1), '00:00', zone);
    if (!from || !to) throw new AppError('invalid_input', `No such dates in ${zone}: ${range.from} .. ${range.to}`, { status: 400 });
    const r = await this.listAll('appointment', '/v2/appointment', EzAppointment, { active: 1, start_at: { gte: Math.floor(from.getTime() / 1000), lt: Math.floor(to.getTime() / 1000) } }, signal);
    cache.replaceRange(range, r.raw);
    return r.timestamp;
  }

  /** Fetches what the records refer to and the cache lacks (animals, contacts and details, consults, species, breeds). */
  async ensureLookups(cache: ClinicCache, records: readonly EzAppointment[], signal?: AbortSignal): Promise<void> {
    const animalIds = records.map((r) => r.animal_id).filter((id): id is string => id !== null && !cache.animals.has(id));
    const consultIds = records.map((r) => r.consult_id).filter((id): id is string => id !== null && !cache.consults.has(id));
    const [animals, consults] = await Promise.all([
      this.byIds('animal', '/v1/animal', EzAnimal, animalIds, signal),
      this.byIds('consult', '/v1/consult', EzConsult, consultIds, signal),
    ]);
    for (const a of animals) cache.animals.set(a.id, a);
    for (const c of consults) cache.consults.set(c.id, c);
    const contactIds = [
      ...new Set(
        records
          .map((r) => r.contact_id ?? (r.animal_id ? (cache.animals.get(r.animal_id)?.contact_id ?? null) : null))
          .filter((id): id is string => id !== null),
      ),
    ];
    const missingContacts = contactIds.filter((id) => !cache.contacts.has(id));
    const missingDetails = contactIds.filter((id) => !cache.details.has(id));
    const [contacts, details] = await Promise.all([
      this.byIds('contact', '/v1/contact', EzContact, missingContacts, signal),
      this.detailsOf(missingDetails, signal),
    ]);
    for (const c of contacts) cache.contacts.set(c.id, c);
    cache.setDetails(missingDetails, details);
    await this.ensureSpecies(cache, [...cache.animals.values()], signal);
  }

  async detailsOf(contactIds: readonly string[], signal?: AbortSignal): Promise<EzContactDetail[]> {
    const unique = [...new Set(contactIds)];
    if (unique.length === 0) return [];
    const parts = await Promise.all(chunks(unique, IN_CHUNK).map((c) => this.listAll('contactdetail', '/v1/contactdetail', EzContactDetail, { active: 1, contact_id: { in: c } }, signal)));
    return parts.flatMap((p) => p.ok);
  }

  private readonly species = new Map<string, EzNamed>();
  private readonly breeds = new Map<string, EzNamed>();

  async ensureSpecies(_cache: ClinicCache, animals: readonly EzAnimal[], signal?: AbortSignal): Promise<void> {
    const sp = animals.map((a) => a.species_id).filter((id): id is string => id !== null && !this.species.has(id));
    const br = animals.map((a) => a.breed_id).filter((id): id is string => id !== null && !this.breeds.has(id));
    const [s, b] = await Promise.all([this.byIds('species', '/v1/species', EzNamed, sp, signal), this.byIds('breed', '/v1/breed', EzNamed, br, signal)]);
    for (const x of s) this.species.set(x.id, x);
    for (const x of b) this.breeds.set(x.id, x);
  }

  lookups(cache: ClinicCache, refs: Refs): Lookups {
    const details = new Map<string, EzContactDetail[]>();
    for (const [id, m] of cache.details) details.set(id, [...m.values()]);
    return {
      statuses: refs.statuses,
      types: refs.types,
      resources: refs.resources,
      detailTypes: refs.detailTypes,
      animals: cache.animals,
      contacts: cache.contacts,
      details,
      consults: cache.consults,
      species: this.species,
      breeds: this.breeds,
    };
  }

  /** Reference lists again when a record names an id they lack (a type or status made since). */
  private async refsCovering(records: readonly EzAppointment[], signal?: AbortSignal): Promise<Refs> {
    let refs = await this.refs(signal);
    const unknown = (r: Refs) =>
      records.some((a) => (a.status_id !== null && !r.statuses.has(a.status_id)) || (a.type_id !== null && !r.types.has(a.type_id)) || a.resources.some((id) => !r.resources.has(id)));
    if (unknown(refs) && this.config.now() - refs.loadedAt > 1000) refs = await this.refs(signal, true);
    return refs;
  }

  // ---- the port -----------------------------------------------------------------------------------

  async getAppointments(from: string, to: string, opts: PimsCallOptions = {}): Promise<AppointmentsResult> {
    this.ensureOpen();
    const range = { from: validDate('from', from), to: validDate('to', to) };
    if (range.from > range.to) throw new AppError('invalid_input', `from (${from}) is after to (${to})`, { status: 400 });
    const cache = this.config.cache();
    return exclusive(cache, async () => {
      const signal = opts.signal;
      // Ranges without a mark (ezyVet gave no meta.timestamp) are of unknown age: start again.
      if (cache.mark === null && cache.ranges.length > 0) cache.resetAppointments();
      const touchesCache = cache.mark !== null && cache.ranges.some((r) => r.from <= range.to && range.from <= r.to);
      if (touchesCache && this.config.now() - cache.checkedAt >= this.config.recheckAfterMs) await this.incremental(cache, signal);
      const parts = cache.mark === null ? [range] : normalizeRanges([...uncoveredParts(cache.ranges, range), ...cache.dirtyRanges(range)]);
      const hadMark = cache.mark !== null;
      let oldest: number | null = null;
      let anyWithoutTime = false;
      for (const part of parts) {
        const t = await this.fullFetch(cache, part, signal);
        if (t === null) anyWithoutTime = true;
        else oldest = oldest === null ? t : Math.min(oldest, t);
      }
      // The mark is when every fetched range was last current: an older mark stays.
      if (!hadMark) {
        cache.mark = anyWithoutTime ? null : oldest;
        cache.checkedAt = this.config.now();
      }
      const { records, malformedIds, anonymous } = cache.inRange(range);
      const refs = await this.refsCovering(records, signal);
      await this.ensureLookups(cache, records, signal);
      return this.build(records, malformedIds, anonymous, this.lookups(cache, refs));
    });
  }

  private build(records: readonly EzAppointment[], malformedIds: readonly string[], anonymous: number, l: Lookups): AppointmentsResult {
    const appointments: PimsAppointment[] = [];
    const skippedIds = new Set(malformedIds);
    let excluded = 0;
    for (const rec of records) {
      const v = toAppointment(rec, l, this.config.timezone);
      if (v.kind === 'appointment') appointments.push(v.appointment);
      else if (v.kind === 'excluded') excluded += 1;
      else if (v.id !== null) skippedIds.add(v.id);
    }
    appointments.sort((a, b) => (a.startAt < b.startAt ? -1 : a.startAt > b.startAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (skippedIds.size + anonymous > 0) {
      this.config.logger.warn({ skipped: skippedIds.size + anonymous }, 'ezyVet sent appointments that could not be read; skipped');
    }
    return { appointments, skipped: skippedIds.size + anonymous, skippedIds: [...skippedIds], excluded };
  }

  async getAppointment(id: string, opts: PimsCallOptions = {}): Promise<PimsAppointment | null> {
    this.ensureOpen();
    const wanted = typeof id === 'string' ? id.trim() : '';
    if (wanted === '') throw new AppError('invalid_input', 'An appointment id is required', { status: 400 });
    const cache = this.config.cache();
    let rec: EzAppointment;
    const recent = this.config.now() - this.recentAt < this.config.recentTtlMs ? this.recent.get(wanted) : undefined;
    if (recent) rec = recent;
    else {
      // Lookups of missing appointments run side by side: the request is made outside the cache's lock.
      const r = await this.listAll('appointment', '/v2/appointment', EzAppointment, { id: wanted }, opts.signal);
      const raw = r.raw.find((x) => rawId(x) === wanted);
      if (raw === undefined) return null;
      const parsed = EzAppointment.safeParse(raw);
      if (!parsed.success) throw pimsBadResponse(`ezyVet sent appointment ${wanted} in a form that cannot be read`);
      rec = parsed.data;
    }
    const found = rec;
    return exclusive(cache, async () => {
      if (!recent) cache.mergeOne(found);
      if (!found.active) return null;
      const refs = await this.refsCovering([found], opts.signal);
      await this.ensureLookups(cache, [found], opts.signal);
      const v = toAppointment(found, this.lookups(cache, refs), this.config.timezone);
      if (v.kind === 'excluded') return null;
      if (v.kind === 'malformed') throw pimsBadResponse(`ezyVet sent appointment ${wanted} in a form that cannot be read (${v.reason})`);
      return v.appointment;
    });
  }

  async getConsultation(id: string, opts: PimsCallOptions = {}): Promise<PimsConsultation | null> {
    this.ensureOpen();
    const wanted = typeof id === 'string' ? id.trim() : '';
    if (wanted === '') throw new AppError('invalid_input', 'A consultation id is required', { status: 400 });
    const signal = opts.signal;
    const byConsult = { consult_id: wanted };
    const [consults, assessments, plans, links, lines] = await Promise.all([
      this.listAll('consult', '/v1/consult', EzConsult, { id: wanted }, signal),
      this.listAll('assessment', '/v1/assessment', EzClinicalNote, byConsult, signal),
      this.listAll('plan', '/v1/plan', EzClinicalNote, byConsult, signal),
      this.listAll('presentingproblemlink', '/v1/presentingproblemlink', EzPresentingProblemLink, byConsult, signal),
      this.listAll('invoiceline', '/v1/invoiceline', EzInvoiceLine, byConsult, signal),
    ]);
    const consult = consults.ok.find((c) => c.id === wanted);
    if (!consult || !consult.active) {
      if (!consult && consults.raw.some((r) => rawId(r) === wanted)) throw pimsBadResponse(`ezyVet sent consult ${wanted} in a form that cannot be read`);
      return null;
    }
    const problemIds = links.ok.filter((l) => l.active && l.presenting_problem_id !== null).map((l) => l.presenting_problem_id as string);
    const problems = await this.byIds('presentingproblem', '/v1/presentingproblem', EzNamed, problemIds, signal);
    const names = new Map(problems.map((p) => [p.id, p.name]));
    const diagnoses = problemIds.map((pid) => names.get(pid)).filter((n): n is string => typeof n === 'string');
    const own = <T extends { consult_id: string | null }>(xs: T[]) => xs.filter((x) => x.consult_id === null || x.consult_id === wanted);
    const c = toConsultation({ consult, assessments: own(assessments.ok), plans: own(plans.ok), problems: diagnoses, lines: own(lines.ok) }, this.config.timezone);
    if (!c) throw pimsBadResponse(`ezyVet sent consult ${wanted} in a form that cannot be read`);
    return c;
  }

  async getScheduleConfig(opts: PimsCallOptions = {}): Promise<PimsScheduleConfig> {
    this.ensureOpen();
    const [refs, site] = await Promise.all([this.refs(opts.signal, true), this.listAll('siteinformation', '/v3/siteInformation', EzSiteInformation, {}, opts.signal).catch((err: unknown) => {
        // A site without site information (or one we cannot read) has no hours for us: not fatal.
        if (isPimsError(err, 'pims_not_found') || isPimsError(err, 'pims_bad_response')) return null;
        throw err;
      }),
    ]);
    const config = toScheduleConfig({ resources: [...refs.resources.values()], types: [...refs.types.values()], site: site?.ok[0] ?? null });
    if (!config) throw pimsBadResponse('ezyVet sent a calendar set-up that cannot be read');
    return config;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.config.onClose();
  }
}
