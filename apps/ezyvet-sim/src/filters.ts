import type { ServedRecord } from './store';

/**
 * ezyVet's list filters and paging (docs/ezyvet-wire.md section 3): `field=value` (equality) or
 * `field=<JSON>` with the comparators `eq neq gt lt gte lte like in`, several comparators in one
 * object, several filters AND-ed; case-sensitive; numbers may come as strings. `limit` (default 10,
 * at most 200) and `page` (1-based).
 */

export class FilterError extends Error {}

type Scalar = string | number | boolean | null;
type Predicate = (record: ServedRecord) => boolean;

const COMPARATORS = ['eq', 'neq', 'gt', 'lt', 'gte', 'lte', 'like', 'in'] as const;
type Comparator = (typeof COMPARATORS)[number];

export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 200;

function isNumeric(v: unknown): boolean {
  return (
    (typeof v === 'number' && Number.isFinite(v)) ||
    (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim()))
  );
}

/** Equality as ezyVet compares: numbers by value (1 = "1"), everything else as text, case-sensitive. */
function equal(value: unknown, wanted: Scalar): boolean {
  if (value === null || value === undefined) return wanted === null;
  if (wanted === null) return false;
  if (typeof value === 'boolean') value = value ? 1 : 0;
  if (typeof wanted === 'boolean') wanted = wanted ? 1 : 0;
  if (isNumeric(value) && isNumeric(wanted)) return Number(value) === Number(wanted);
  return String(value) === String(wanted);
}

function order(value: unknown, wanted: Scalar): number | null {
  if (value === null || value === undefined || wanted === null) return null;
  if (isNumeric(value) && isNumeric(wanted)) return Number(value) - Number(wanted);
  const a = String(value);
  const b = String(wanted);
  return a < b ? -1 : a > b ? 1 : 0;
}

function likeRegex(pattern: string): RegExp {
  const body = pattern
    .split('%')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

function scalar(v: unknown, what: string): Scalar {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  throw new FilterError(`${what}: expected a string or a number`);
}

function comparison(field: string, op: Comparator, arg: unknown): Predicate {
  const what = `${field} ${op}`;
  switch (op) {
    case 'eq': {
      const w = scalar(arg, what);
      return (r) => equal(r[field], w);
    }
    case 'neq': {
      const w = scalar(arg, what);
      return (r) => !equal(r[field], w);
    }
    case 'gt':
    case 'lt':
    case 'gte':
    case 'lte': {
      const w = scalar(arg, what);
      const test = {
        gt: (d: number) => d > 0,
        lt: (d: number) => d < 0,
        gte: (d: number) => d >= 0,
        lte: (d: number) => d <= 0,
      }[op];
      return (r) => {
        const d = order(r[field], w);
        return d !== null && test(d);
      };
    }
    case 'like': {
      if (typeof arg !== 'string') throw new FilterError(`${what}: expected a string with % wildcards`);
      const re = likeRegex(arg);
      return (r) => {
        const v = r[field];
        return v !== null && v !== undefined && re.test(String(v));
      };
    }
    case 'in': {
      if (!Array.isArray(arg)) throw new FilterError(`${what}: expected an array`);
      const ws = arg.map((x) => scalar(x, what));
      return (r) => ws.some((w) => equal(r[field], w));
    }
  }
}

/** One filter parameter's predicate. */
export function filterOf(field: string, raw: string, knownFields: ReadonlySet<string>): Predicate {
  if (!knownFields.has(field)) throw new FilterError(`Unknown filter field "${field}"`);
  const text = raw.trim();
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new FilterError(`The filter on ${field} is not valid JSON`);
    }
    if (
      typeof parsed !== 'object' ||
      parsed === null ||
      Array.isArray(parsed) ||
      Object.keys(parsed).length === 0
    )
      throw new FilterError(`The filter on ${field} must be an object of comparators`);
    const preds = Object.entries(parsed).map(([op, arg]) => {
      if (!(COMPARATORS as readonly string[]).includes(op))
        throw new FilterError(`Unknown comparator "${op}" on ${field}`);
      return comparison(field, op as Comparator, arg);
    });
    return (r) => preds.every((p) => p(r));
  }
  // `active=true` / `active=false` read as 1 / 0 (ezyVet's flag); any other value is compared as given.
  const wanted = field === 'active' && (raw === 'true' || raw === 'false') ? raw === 'true' : raw;
  return (r) => equal(r[field], wanted);
}

export interface ListQuery {
  predicates: Predicate[];
  limit: number;
  page: number;
}

function positiveInt(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1)
    throw new FilterError(`${name} must be a positive whole number`);
  return Number(raw);
}

/** Reads a list request's query: every parameter but `limit` and `page` is a filter on a record field. */
export function parseListQuery(params: URLSearchParams, knownFields: ReadonlySet<string>): ListQuery {
  const predicates: Predicate[] = [];
  for (const [key, value] of params) {
    if (key === 'limit' || key === 'page') continue;
    predicates.push(filterOf(key, value, knownFields));
  }
  return {
    predicates,
    limit: Math.min(MAX_LIMIT, positiveInt(params.get('limit') ?? undefined, 'limit', DEFAULT_LIMIT)),
    page: positiveInt(params.get('page') ?? undefined, 'page', 1),
  };
}

export interface Page {
  items: ServedRecord[];
  page: number;
  pageTotal: number;
  pageSize: number;
  total: number;
}

export function pageOf(records: readonly ServedRecord[], q: ListQuery): Page {
  const matching =
    q.predicates.length === 0 ? records : records.filter((r) => q.predicates.every((p) => p(r)));
  const total = matching.length;
  const from = (q.page - 1) * q.limit;
  return {
    items: matching.slice(from, from + q.limit),
    page: q.page,
    pageTotal: Math.max(1, Math.ceil(total / q.limit)),
    pageSize: q.limit,
    total,
  };
}
