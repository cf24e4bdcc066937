import type { PimsConsultation } from '@pims/pims';
import { addRange, coversDate, hull, intersects, type DateRange } from './ranges';
import { localDateOfStart } from './normalize';
import { EzAppointment, rawId, type EzAnimal, type EzConsult, type EzContact, type EzContactDetail } from './wire';

/** The lists the provider asks what changed in, besides appointments: each with its own mark. */
export const LOOKUP_RESOURCES = ['animal', 'contact', 'contactdetail', 'consult'] as const;
export type LookupResource = (typeof LOOKUP_RESOURCES)[number];

/**
 * What the provider holds of one clinic between syncs (docs/ezyvet-wire.md section 8): the
 * appointment records of the clinic-local date ranges fetched in full, current as of `mark` (the
 * server's time at the start of the oldest fetch they rest on), and the records they refer to, each
 * list current as of its own mark. Unreadable appointments with an id are remembered with the range
 * they belong to and read again by id at every check; unreadable ones without an id make a window
 * they touch be fetched in full again.
 */
export class ClinicCache {
  ranges: DateRange[] = [];
  /** Server time (epoch s) as of which the appointments of `ranges` are current; null before a first fetch. */
  mark: number | null = null;
  /** Server time (epoch s) as of which each list of referred-to records is current (null: not yet). */
  readonly lookupMarks: Record<LookupResource, number | null> = { animal: null, contact: null, contactdetail: null, consult: null };
  /** When (our clock, ms) the cache was last brought up to date with ezyVet (a check, or the first full fetch). */
  checkedAt = 0;
  /** The windows answered since that check: asking for one inside them again means a new check. */
  answered: DateRange[] = [];
  /** Readable appointment records (blocks and rosters included) by id, with their local start date. */
  readonly appointments = new Map<string, { record: EzAppointment; date: string }>();
  /** Unreadable records with an id, and the range they belong to. */
  readonly malformed = new Map<string, DateRange>();
  /** Unreadable records without an id: how many, per range fetched. */
  anonymous: { range: DateRange; count: number }[] = [];

  readonly animals = new Map<string, EzAnimal>();
  readonly contacts = new Map<string, EzContact>();
  /** Contact details by contact id (every detail of a contact once it is here). */
  readonly details = new Map<string, Map<string, EzContactDetail>>();
  readonly consults = new Map<string, EzConsult>();
  /** Consults ezyVet answered it does not have (not asked again; taken in when a change names them). */
  readonly missingConsults = new Set<string>();
  /**
   * Consultations read in full (the consult and its clinical record), by consult id, with the consult's
   * `modified_at` they were read at: current while `consults` holds that same `modified_at` (a change
   * to the record bumps the consult, docs/ezyvet-wire.md section 6).
   */
  readonly consultations = new Map<string, { version: number; value: PimsConsultation }>();

  constructor(readonly zone: string) {}

  /** Forgets the appointments and ranges (kept: the records they referred to). */
  resetAppointments(): void {
    this.ranges = [];
    this.mark = null;
    this.checkedAt = 0;
    this.answered = [];
    this.appointments.clear();
    this.malformed.clear();
    this.anonymous = [];
  }

  /** The next read of a window the cache covers asks ezyVet what changed (after our own writes). */
  invalidate(): void {
    this.checkedAt = Number.NEGATIVE_INFINITY;
  }

  /**
   * Whether a read of `range` (which the cache covers at least in part) must first ask ezyVet what
   * changed: the last check is `maxAgeMs` old or older, or a window holding `range` was answered
   * since it (the same sync asked once already, so this is a later sync or a second look).
   */
  checkDue(range: DateRange, now: number, maxAgeMs: number): boolean {
    if (now - this.checkedAt >= maxAgeMs) return true;
    return this.answered.some((a) => a.from <= range.from && range.to <= a.to);
  }

  /** A window answered (kept since the last check; the oldest go first past a few dozen). */
  answer(range: DateRange): void {
    this.answered.push({ from: range.from, to: range.to });
    if (this.answered.length > 64) this.answered.shift();
  }

  /** The cache was brought up to date with ezyVet at `now` (our clock). */
  checked(now: number): void {
    this.checkedAt = now;
    this.answered = [];
  }

  /** The ranges (of unreadable records without an id) that a request for `range` must fetch in full again. */
  dirtyRanges(range: DateRange): DateRange[] {
    return this.anonymous.filter((a) => intersects(a.range, range)).map((a) => a.range);
  }

  /** The range an unreadable record belongs to: where it was, else every fetched date. */
  private rangeOfUnreadable(id: string): DateRange | null {
    const before = this.appointments.get(id);
    if (before) return { from: before.date, to: before.date };
    const known = this.malformed.get(id);
    if (known) return known;
    const all = hull(this.ranges);
    return all ? { ...all } : null;
  }

  /** An appointment ezyVet served in a form we cannot read: never answered as its older readable copy. */
  markUnreadable(id: string): void {
    const range = this.rangeOfUnreadable(id);
    this.appointments.delete(id);
    if (range) this.malformed.set(id, range);
  }

  /**
   * The full answer for `range` (every active appointment starting in it, as raw records): replaces
   * what the cache held for those dates and marks them fetched.
   */
  replaceRange(range: DateRange, raw: readonly unknown[]): void {
    const before = new Map<string, string>();
    for (const [id, a] of this.appointments) {
      if (a.date < range.from || a.date > range.to) continue;
      before.set(id, a.date);
      this.appointments.delete(id);
    }
    // Unreadable ones known to lie in the range are answered by this fetch; others stay as they are.
    const inside = (r: DateRange) => range.from <= r.from && r.to <= range.to;
    for (const [id, r] of this.malformed) if (inside(r)) this.malformed.delete(id);
    this.anonymous = this.anonymous.filter((a) => !inside(a.range));
    let anonymous = 0;
    for (const rec of raw) {
      const parsed = EzAppointment.safeParse(rec);
      if (!parsed.success) {
        const id = rawId(rec);
        if (id === null) anonymous += 1;
        else {
          // It starts in the range (ezyVet chose it by start_at); where it was is the best guess of the day.
          const day = before.get(id) ?? this.appointments.get(id)?.date;
          this.appointments.delete(id);
          this.malformed.set(id, day !== undefined && day >= range.from && day <= range.to ? { from: day, to: day } : { ...range });
        }
        continue;
      }
      const a = parsed.data;
      if (!a.active) continue;
      const date = localDateOfStart(a, this.zone);
      // The server chose it by start_at; its local date is the window's unless the zone data differ.
      if (date < range.from || date > range.to) continue;
      this.malformed.delete(a.id);
      this.appointments.set(a.id, { record: a, date });
    }
    if (anonymous > 0) this.anonymous.push({ range: { ...range }, count: anonymous });
    this.ranges = addRange(this.ranges, range);
  }

  /**
   * Records changed since the mark (no date, no active filter): an active one starting in a fetched
   * range replaces the cached copy; an inactive one, or one that moved out of the ranges, leaves.
   * An unreadable one is remembered against the date it had (or every fetched date).
   */
  mergeChanges(raw: readonly unknown[]): void {
    const all = hull(this.ranges);
    for (const rec of raw) {
      const parsed = EzAppointment.safeParse(rec);
      if (!parsed.success) {
        const id = rawId(rec);
        if (!all) continue;
        if (id === null) {
          this.anonymous.push({ range: { ...all }, count: 1 });
          continue;
        }
        this.markUnreadable(id);
        continue;
      }
      const a = parsed.data;
      if (!a.active) {
        this.appointments.delete(a.id);
        this.malformed.delete(a.id);
        continue;
      }
      const date = localDateOfStart(a, this.zone);
      this.malformed.delete(a.id);
      // A consult ezyVet did not have is looked up again once its visit changed.
      if (a.consult_id !== null) this.missingConsults.delete(a.consult_id);
      if (coversDate(this.ranges, date)) this.appointments.set(a.id, { record: a, date });
      else this.appointments.delete(a.id);
    }
  }

  /**
   * The unreadable records `ids` read again by id (`raw`: what ezyVet answered): a readable one is
   * merged like a change, one still unreadable stays so, one ezyVet no longer has is forgotten.
   */
  mergeRecheck(ids: readonly string[], raw: readonly unknown[]): void {
    const answered = new Set<string>();
    for (const rec of raw) {
      const id = rawId(rec);
      if (id === null || !ids.includes(id)) continue;
      answered.add(id);
      this.mergeChanges([rec]);
    }
    for (const id of ids) {
      if (answered.has(id)) continue;
      this.malformed.delete(id);
      this.appointments.delete(id);
    }
  }

  /** One fresh record read by id (getAppointment): merged like a change, unless a check since brought a newer copy. */
  mergeOne(rec: EzAppointment): void {
    const held = this.appointments.get(rec.id)?.record.modified_at ?? null;
    if (held !== null && rec.modified_at !== null && held > rec.modified_at) return;
    if (!rec.active) {
      this.appointments.delete(rec.id);
      this.malformed.delete(rec.id);
      return;
    }
    const date = localDateOfStart(rec, this.zone);
    if (coversDate(this.ranges, date)) {
      this.appointments.set(rec.id, { record: rec, date });
      this.malformed.delete(rec.id);
    } else this.appointments.delete(rec.id);
  }

  /** The cached records starting in `range`, and the unreadable ones of it. */
  inRange(range: DateRange): { records: EzAppointment[]; malformedIds: string[]; anonymous: number } {
    const records: EzAppointment[] = [];
    for (const a of this.appointments.values()) if (a.date >= range.from && a.date <= range.to) records.push(a.record);
    const malformedIds = [...this.malformed].filter(([, r]) => intersects(r, range)).map(([id]) => id);
    const anonymous = this.anonymous.filter((a) => intersects(a.range, range)).reduce((n, a) => n + a.count, 0);
    return { records, malformedIds, anonymous };
  }

  /** Lists changed since the mark refresh the copies the cache holds (others are fetched when needed). */
  mergeAnimals(list: readonly EzAnimal[]): void {
    for (const x of list) if (this.animals.has(x.id)) this.animals.set(x.id, x);
  }

  mergeContacts(list: readonly EzContact[]): void {
    for (const x of list) if (this.contacts.has(x.id)) this.contacts.set(x.id, x);
  }

  /** Consults changed since the consult mark: cached copies refreshed, ones known missing taken in. */
  mergeConsults(list: readonly EzConsult[]): void {
    for (const x of list) {
      if (this.consults.has(x.id)) this.consults.set(x.id, x);
      else if (this.missingConsults.delete(x.id)) this.consults.set(x.id, x);
    }
  }

  mergeDetails(list: readonly EzContactDetail[]): void {
    for (const d of list) {
      if (d.contact_id === null) continue;
      const of = this.details.get(d.contact_id);
      if (!of) continue;
      if (d.active) of.set(d.id, d);
      else of.delete(d.id);
    }
  }

  /** All details of these contacts, fetched in full. */
  setDetails(contactIds: readonly string[], list: readonly EzContactDetail[]): void {
    for (const id of contactIds) this.details.set(id, new Map());
    for (const d of list) if (d.active && d.contact_id !== null) this.details.get(d.contact_id)?.set(d.id, d);
  }
}
