import { addRange, coversDate, hull, intersects, type DateRange } from './ranges';
import { localDateOfStart } from './normalize';
import { EzAppointment, rawId, type EzAnimal, type EzConsult, type EzContact, type EzContactDetail } from './wire';

/**
 * What the provider holds of one clinic between syncs (docs/ezyvet-wire.md section 8): the
 * appointment records of the clinic-local date ranges fetched in full, current as of `mark` (the
 * server's time at the start of the oldest fetch they rest on), and the records they refer to.
 * Unreadable appointments are remembered with the range they were seen in: a window they touch is
 * fetched in full again (they may have become readable without a change of `modified_at`).
 */
export class ClinicCache {
  ranges: DateRange[] = [];
  mark: number | null = null;
  /** When (our clock, ms) the cache was last brought up to date with ezyVet. */
  checkedAt = 0;
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

  constructor(readonly zone: string) {}

  /** Forgets the appointments and ranges (kept: the records they referred to). */
  resetAppointments(): void {
    this.ranges = [];
    this.mark = null;
    this.checkedAt = 0;
    this.appointments.clear();
    this.malformed.clear();
    this.anonymous = [];
  }

  /** The ranges (of unreadable records) that a request for `range` must fetch in full again. */
  dirtyRanges(range: DateRange): DateRange[] {
    const out: DateRange[] = [];
    for (const r of this.malformed.values()) if (intersects(r, range)) out.push(r);
    for (const a of this.anonymous) if (intersects(a.range, range)) out.push(a.range);
    return out;
  }

  /**
   * The full answer for `range` (every active appointment starting in it, as raw records): replaces
   * what the cache held for those dates and marks them fetched.
   */
  replaceRange(range: DateRange, raw: readonly unknown[]): void {
    for (const [id, a] of this.appointments) if (a.date >= range.from && a.date <= range.to) this.appointments.delete(id);
    for (const [id, r] of this.malformed) if (intersects(r, range)) this.malformed.delete(id);
    this.anonymous = this.anonymous.filter((a) => !intersects(a.range, range));
    let anonymous = 0;
    for (const rec of raw) {
      const parsed = EzAppointment.safeParse(rec);
      if (!parsed.success) {
        const id = rawId(rec);
        if (id === null) anonymous += 1;
        else {
          this.appointments.delete(id);
          this.malformed.set(id, { ...range });
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
        const before = this.appointments.get(id);
        this.appointments.delete(id);
        this.malformed.set(id, before ? { from: before.date, to: before.date } : { ...all });
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
      if (coversDate(this.ranges, date)) this.appointments.set(a.id, { record: a, date });
      else this.appointments.delete(a.id);
    }
  }

  /** One fresh record read by id (getAppointment): merged like a change. */
  mergeOne(rec: EzAppointment): void {
    if (!rec.active) {
      this.appointments.delete(rec.id);
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

  mergeConsults(list: readonly EzConsult[]): void {
    for (const x of list) if (this.consults.has(x.id)) this.consults.set(x.id, x);
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
