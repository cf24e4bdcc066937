import pLimit from 'p-limit';
import { isPimsError, pimsBadResponse, PimsLocalDate, type AppointmentsResult, type PimsAppointment, type PimsCallOptions, type PimsConsultation, type PimsScheduleConfig, type PimsSession } from '@pims/pims';
import { AppError, addDays, instantOfLocalCompatible, isAppError, todayIn } from '@pims/util';
import { ClinicCache, LOOKUP_RESOURCES } from './cache';
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

/** Consultation reads in flight per clinic, by consult id (concurrent reads of one batch wait for it). */
const consultationBatches = new WeakMap<ClinicCache, Map<string, Promise<Map<string, PimsConsultation | null | AppError>>>>();
function inflightConsultations(cache: ClinicCache): Map<string, Promise<Map<string, PimsConsultation | null | AppError>>> {
  let m = consultationBatches.get(cache);
  if (!m) consultationBatches.set(cache, (m = new Map()));
  return m;
}
function answerOf(batch: Map<string, PimsConsultation | null | AppError>, id: string): PimsConsultation | null {
  const v = batch.get(id);
  if (v instanceof AppError) throw v;
  return v ?? null;
}

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
  /** Requests in flight for one consultation's parts and for lookups (default 4). */
  concurrency: number;
  /**
   * The longest a check (asking ezyVet what changed) answers windows not asked since it (default
   * 10 s); a window inside one answered since the check always gets a new check (section 8).
   */
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

/** An error's machine code for a log line (never its message: that may quote ezyVet). */
function errorCode(err: unknown): string {
  return isAppError(err) ? err.code : err instanceof Error ? err.name : 'unknown';
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

  /**
   * A check: what changed since the marks, merged into the cache (docs/ezyvet-wire.md section 8).
   * Appointments changed since the appointment mark (a failure fails the read: its answer would not
   * be current), and the unreadable ones read again by id; then, each on its own, the animals,
   * contacts, contact details and consults changed since their own marks. A list that fails keeps its
   * mark (so the next check asks from there again, and loses no change) and fails nothing: the
   * cached copies stand meanwhile.
   */
  private async check(cache: ClinicCache, signal?: AbortSignal): Promise<void> {
    const since = (mark: number) => ({ modified_at: { gte: Math.max(0, mark - this.config.safetyMarginSeconds) } });
    const lookups = Promise.all(
      LOOKUP_RESOURCES.map(async (resource) => {
        const mark = cache.lookupMarks[resource];
        if (mark === null) return;
        try {
          const path = `/v1/${resource}`;
          if (resource === 'consult') {
            const r = await this.listAll(resource, path, EzConsult, since(mark), signal);
            cache.mergeConsults(r.ok);
            if (r.timestamp !== null) cache.lookupMarks.consult = r.timestamp;
          } else if (resource === 'animal') {
            const r = await this.listAll(resource, path, EzAnimal, since(mark), signal);
            cache.mergeAnimals(r.ok);
            if (r.timestamp !== null) cache.lookupMarks.animal = r.timestamp;
          } else if (resource === 'contact') {
            const r = await this.listAll(resource, path, EzContact, since(mark), signal);
            cache.mergeContacts(r.ok);
            if (r.timestamp !== null) cache.lookupMarks.contact = r.timestamp;
          } else {
            const r = await this.listAll(resource, path, EzContactDetail, since(mark), signal);
            cache.mergeDetails(r.ok);
            if (r.timestamp !== null) cache.lookupMarks.contactdetail = r.timestamp;
          }
        } catch (err) {
          if (signal?.aborted) throw err;
          this.config.logger.warn({ resource, code: errorCode(err) }, `ezyVet did not say which ${resource} records changed; the cached ones stand and the next check asks again`);
        }
      }),
    );
    // Settled before anything is thrown, so no list is merged after the read has ended.
    const appointments = (async () => {
      const appts = await this.listAll('appointment', '/v2/appointment', EzAppointment, since(cache.mark as number), signal);
      cache.mergeChanges(appts.raw);
      // Unreadable ones are read again by id: one may be whole again without a new modified_at.
      const returned = new Set(appts.raw.map((r) => rawId(r)));
      const again = [...cache.malformed.keys()].filter((id) => !returned.has(id));
      for (const part of chunks(again, IN_CHUNK)) {
        const r = await this.listAll('appointment', '/v2/appointment', EzAppointment, { id: { in: part } }, signal);
        cache.mergeRecheck(part, r.raw);
      }
      if (appts.timestamp !== null) cache.mark = appts.timestamp;
    })();
    const [a, l] = await Promise.allSettled([appointments, lookups]);
    if (a.status === 'rejected') throw a.reason;
    if (l.status === 'rejected') throw l.reason;
    cache.checked(this.config.now());
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
    const consultIds = [...new Set(records.map((r) => r.consult_id).filter((id): id is string => id !== null && !cache.consults.has(id) && !cache.missingConsults.has(id)))];
    const [animals, consults] = await Promise.all([
      this.byIds('animal', '/v1/animal', EzAnimal, animalIds, signal),
      // A consult only dates the visit's last change (lastUpdatedAt): a failing consult list must not
      // fail the calendar (CONTRACT 3.5). Those not read are asked for again next time.
      this.byIds('consult', '/v1/consult', EzConsult, consultIds, signal).catch((err: unknown) => {
        if (signal?.aborted) throw err;
        this.config.logger.warn({ consults: consultIds.length, code: errorCode(err) }, 'ezyVet did not answer for the consults of these visits; their lastUpdatedAt is the appointment\'s own until it does');
        return null;
      }),
    ]);
    for (const a of animals) cache.animals.set(a.id, a);
    if (consults) {
      for (const c of consults) cache.consults.set(c.id, c);
      for (const id of consultIds) if (!cache.consults.has(id)) cache.missingConsults.add(id);
    }
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
      const now = () => this.config.now();
      // Ranges without a mark (ezyVet gave no meta.timestamp) are of unknown age: start again.
      if (cache.mark === null && cache.ranges.length > 0) cache.resetAppointments();
      const touchesCache = cache.mark !== null && cache.ranges.some((r) => r.from <= range.to && range.from <= r.to);
      // One day (the write-back's look at a slot's day before booking) is read in full: one request,
      // no dearer than asking what changed, and exact whatever the marks say; it asks what changed
      // only when the last check is past the time bound (for the records it refers to).
      const oneDay = range.from === range.to;
      const due = oneDay ? now() - cache.checkedAt >= this.config.recheckAfterMs : cache.checkDue(range, now(), this.config.recheckAfterMs);
      if (touchesCache && due) await this.check(cache, signal);
      const parts = cache.mark === null ? [range] : normalizeRanges([...uncoveredParts(cache.ranges, range), ...cache.dirtyRanges(range), ...(oneDay ? [range] : [])]);
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
        // The records they refer to are read after the appointments: current as of that mark too.
        for (const r of LOOKUP_RESOURCES) cache.lookupMarks[r] ??= cache.mark;
        cache.checked(now());
      }
      if (!oneDay) cache.answer(range);
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
    // Always asked of ezyVet (CONTRACT 3.4: where the visit is now); the request is made outside the
    // cache's lock, so the look-ups of missing visits run side by side.
    const r = await this.listAll('appointment', '/v2/appointment', EzAppointment, { id: wanted }, opts.signal);
    const raw = r.raw.find((x) => rawId(x) === wanted);
    if (raw === undefined) {
      await exclusive(cache, async () => cache.mergeRecheck([wanted], []));
      return null;
    }
    const parsed = EzAppointment.safeParse(raw);
    if (!parsed.success) {
      await exclusive(cache, async () => cache.markUnreadable(wanted));
      throw pimsBadResponse(`ezyVet sent appointment ${wanted} in a form that cannot be read`);
    }
    const found = parsed.data;
    return exclusive(cache, async () => {
      cache.mergeOne(found);
      if (!found.active) return null;
      const refs = await this.refsCovering([found], opts.signal);
      await this.ensureLookups(cache, [found], opts.signal);
      const v = toAppointment(found, this.lookups(cache, refs), this.config.timezone);
      if (v.kind === 'excluded') return null;
      if (v.kind === 'malformed') throw pimsBadResponse(`ezyVet sent appointment ${wanted} in a form that cannot be read (${v.reason})`);
      return v.appointment;
    });
  }

  /**
   * A consultation: the consult and its clinical record (assessment notes, plan, presenting problems,
   * invoice lines). Read in batches: the first read a sync asks for also reads, in the same requests
   * (`consult_id={"in":[..]}`, up to IN_CHUNK), the other consults of the cached visits not read yet
   * or changed since, so a full sync of a clinic costs a few requests per hundred consultations
   * instead of six per consultation (ezyVet allows about 60 a minute per endpoint). A consultation
   * read before answers from the cache while a check made for this sync shows its consult unchanged.
   */
  async getConsultation(id: string, opts: PimsCallOptions = {}): Promise<PimsConsultation | null> {
    this.ensureOpen();
    const wanted = typeof id === 'string' ? id.trim() : '';
    if (wanted === '') throw new AppError('invalid_input', 'A consultation id is required', { status: 400 });
    const cache = this.config.cache();
    const held = this.currentConsultation(cache, wanted);
    if (held) return held;
    const inflight = inflightConsultations(cache);
    const pending = inflight.get(wanted);
    if (pending) return answerOf(await pending, wanted);
    const ids = [wanted, ...this.consultationsToPrefetch(cache, wanted, inflight)];
    const batch = this.readConsultations(cache, ids, opts.signal);
    for (const i of ids) inflight.set(i, batch);
    try {
      return answerOf(await batch, wanted);
    } finally {
      for (const i of ids) if (inflight.get(i) === batch) inflight.delete(i);
    }
  }

  /**
   * The cached consultation, when the consult the cache holds is still the one it was read at. The
   * sync engine reads the calendar before it asks for consultations (enrichment alone too), and that
   * read asks ezyVet which consults changed since the last one, so the comparison is as fresh as the
   * sync.
   */
  private currentConsultation(cache: ClinicCache, id: string): PimsConsultation | null {
    const entry = cache.consultations.get(id);
    if (!entry) return null;
    return cache.consults.get(id)?.modified_at === entry.version ? entry.value : null;
  }

  /** Other consults worth reading with this one: those of cached visits not read yet or changed, past visits first, newest first. */
  private consultationsToPrefetch(cache: ClinicCache, wanted: string, inflight: Map<string, unknown>): string[] {
    const today = todayIn(this.config.timezone, { now: () => new Date(this.config.now()) });
    const candidates: { id: string; date: string }[] = [];
    const seen = new Set<string>([wanted]);
    for (const { record, date } of cache.appointments.values()) {
      const cid = record.consult_id;
      if (cid === null || seen.has(cid) || inflight.has(cid) || cache.missingConsults.has(cid)) continue;
      seen.add(cid);
      const entry = cache.consultations.get(cid);
      if (entry && cache.consults.get(cid)?.modified_at === entry.version) continue;
      candidates.push({ id: cid, date });
    }
    const rank = (c: { date: string }) => (c.date <= today ? 0 : 1);
    candidates.sort((a, b) => rank(a) - rank(b) || (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
    return candidates.slice(0, IN_CHUNK - 1).map((c) => c.id);
  }

  /** The consultations `ids` in one round of requests (each list paged); each answer a consultation, null (ezyVet has none) or the error of an unreadable one. */
  private async readConsultations(cache: ClinicCache, ids: string[], signal?: AbortSignal): Promise<Map<string, PimsConsultation | null | AppError>> {
    const byConsult = { consult_id: { in: ids } };
    const [consults, assessments, plans, links, lines] = await Promise.all([
      this.listAll('consult', '/v1/consult', EzConsult, { id: { in: ids } }, signal),
      this.listAll('assessment', '/v1/assessment', EzClinicalNote, byConsult, signal),
      this.listAll('plan', '/v1/plan', EzClinicalNote, byConsult, signal),
      this.listAll('presentingproblemlink', '/v1/presentingproblemlink', EzPresentingProblemLink, byConsult, signal),
      this.listAll('invoiceline', '/v1/invoiceline', EzInvoiceLine, byConsult, signal),
    ]);
    const problemIds = links.ok.filter((l) => l.active && l.presenting_problem_id !== null).map((l) => l.presenting_problem_id as string);
    const problems = await this.byIds('presentingproblem', '/v1/presentingproblem', EzNamed, problemIds, signal);
    const names = new Map(problems.map((p) => [p.id, p.name]));
    const of = <T extends { consult_id: string | null }>(xs: T[], cid: string) => xs.filter((x) => x.consult_id === cid);
    const out = new Map<string, PimsConsultation | null | AppError>();
    for (const cid of ids) {
      const consult = consults.ok.find((c) => c.id === cid);
      if (!consult || !consult.active) {
        const unreadable = !consult && consults.raw.some((r) => rawId(r) === cid);
        out.set(cid, unreadable ? pimsBadResponse(`ezyVet sent consult ${cid} in a form that cannot be read`) : null);
        continue;
      }
      const diagnoses = of(links.ok, cid)
        .filter((l) => l.active && l.presenting_problem_id !== null)
        .map((l) => names.get(l.presenting_problem_id as string))
        .filter((n): n is string => typeof n === 'string');
      const c = toConsultation({ consult, assessments: of(assessments.ok, cid), plans: of(plans.ok, cid), problems: diagnoses, lines: of(lines.ok, cid) }, this.config.timezone);
      if (!c) {
        out.set(cid, pimsBadResponse(`ezyVet sent consult ${cid} in a form that cannot be read`));
        continue;
      }
      out.set(cid, c);
      if (consult.modified_at !== null) {
        cache.consultations.set(cid, { version: consult.modified_at, value: c });
        // What was read is the consult as it is now: later checks compare against it.
        if (cache.consults.has(cid)) cache.consults.set(cid, consult);
      }
    }
    return out;
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
