/**
 * ezyVet's record-keeping of one resource of one clinic: every record with its `created_at`,
 * `modified_at` and `active` (docs/ezyvet-wire.md section 6, "Changes and removals"). The records
 * are rendered from the clinic's data after every change; the store compares each with the copy it
 * holds (deep equality), so only a record that really changed gets a fresh `modified_at`, and a record that is no
 * longer rendered stays with `active: 0` (ezyVet deactivates rather than deletes).
 */

/** A record as rendered, without its audit fields. */
export type EzRecord = { id: string } & Record<string, unknown>;

/** A rendered record with the audit times it gets when the store sees it first (epoch seconds). */
export interface Rendered {
  record: EzRecord;
  createdAt: number;
  modifiedAt: number;
  /** What else counts as a change of this record without being served (a consult's clinical notes, a contact's details). */
  dependsOn?: unknown;
}

interface Entry {
  record: EzRecord;
  dependsOn: unknown;
  active: boolean;
  createdAt: number;
  modifiedAt: number;
}

/** A record as served: `id`, `uid`, `active`, `created_at`, `modified_at`, then its own fields. */
export type ServedRecord = Record<string, unknown>;

export class RecordStore {
  private readonly entries = new Map<string, Entry>();
  private sorted: ServedRecord[] | null = null;

  /**
   * Brings the store in line with a fresh rendering at `now` (epoch seconds): new records get their
   * own audit times (never after `now`), changed or forced ones (and ones back after a removal)
   * `modified_at` = now (strictly after the previous value), missing ones `active: 0` and now.
   */
  sync(rendered: Iterable<Rendered>, now: number, force: ReadonlySet<string> = new Set()): void {
    const seen = new Set<string>();
    for (const r of rendered) {
      const id = r.record.id;
      if (seen.has(id)) continue;
      seen.add(id);
      const e = this.entries.get(id);
      if (!e) {
        const createdAt = Math.min(r.createdAt, now);
        this.entries.set(id, {
          record: r.record,
          dependsOn: r.dependsOn,
          active: true,
          createdAt,
          modifiedAt: Math.max(createdAt, Math.min(r.modifiedAt, now)),
        });
        this.sorted = null;
        continue;
      }
      if (!e.active || force.has(id) || !same(e.record, r.record) || !same(e.dependsOn, r.dependsOn)) {
        e.record = r.record;
        e.dependsOn = r.dependsOn;
        e.active = true;
        e.modifiedAt = Math.max(now, e.modifiedAt + 1);
        this.sorted = null;
      }
    }
    for (const [id, e] of this.entries) {
      if (seen.has(id) || !e.active) continue;
      e.active = false;
      e.modifiedAt = Math.max(now, e.modifiedAt + 1);
      this.sorted = null;
    }
  }

  get(id: string): ServedRecord | null {
    const e = this.entries.get(id);
    return e ? serve(e) : null;
  }

  /** The raw entry's activity, for the writes. */
  isActive(id: string): boolean {
    return this.entries.get(id)?.active ?? false;
  }

  /** Every record (active and not), in id order (string order, stable across pages). */
  all(): readonly ServedRecord[] {
    this.sorted ??= [...this.entries.values()]
      .sort((a, b) => (a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0))
      .map(serve);
    return this.sorted;
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Deep equality of rendered values (JSON-like: primitives, arrays, plain objects). Hand-written
 * rather than comparing JSON text: a rendering shares its strings with the clinic's data, so equal
 * long notes compare by reference here instead of being copied into a fingerprint on every change.
 */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => same(x, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ob = b as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(ob, k) && same((a as Record<string, unknown>)[k], ob[k]));
}

function serve(e: Entry): ServedRecord {
  const { id, uid, ...rest } = e.record;
  return {
    id,
    ...(uid !== undefined ? { uid } : {}),
    active: e.active ? 1 : 0,
    created_at: e.createdAt,
    modified_at: e.modifiedAt,
    ...rest,
  };
}
