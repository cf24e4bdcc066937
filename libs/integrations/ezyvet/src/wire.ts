import { z } from 'zod';
import { pimsBadResponse } from '@pims/pims';

// ezyVet's records as docs/ezyvet-wire.md describes them, checked with zod. ezyVet's schemas type
// most fields as strings; the values come as numbers or strings, so the readers below accept both.

/** An id: a non-empty string, or a number written as its decimal string. */
export const Id = z.union([z.string().trim().min(1), z.number().finite()]).transform((v) => String(v));

/** A reference to another record: null when absent, empty or 0 (ezyVet's "none"). */
export const RefId = z
  .union([z.string(), z.number(), z.null()]).optional()
  .transform((v) => (v === null || v === undefined || String(v).trim() === '' || String(v).trim() === '0' ? null : String(v).trim()));

/** Epoch seconds, as a number or a numeric string. */
export const Epoch = z.union([z.number().finite(), z.string().trim().regex(/^-?\d+(\.\d+)?$/)]).transform((v) => Number(v));

/** An optional epoch: null when absent, empty or 0. */
export const OptEpoch = z
  .union([z.number(), z.string(), z.null()]).optional()
  .transform((v, ctx) => {
    if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) return null;
    const n = Number(v);
    if (!Number.isFinite(n)) {
      ctx.addIssue({ code: 'custom', message: 'not an epoch time' });
      return z.NEVER;
    }
    return n === 0 ? null : n;
  });

/** ezyVet's active flag: 1/0, true/false, "1"/"0"; absent means active. */
export const Active = z
  .union([z.boolean(), z.number(), z.string(), z.null()]).optional()
  .transform((v) => (v === null || v === undefined ? true : v === true || v === 1 || v === '1' || (typeof v === 'string' && v.toLowerCase() === 'true')));

export const Text = z
  .union([z.string(), z.number(), z.null()]).optional()
  .transform((v) => (v === null || v === undefined ? null : String(v).trim() === '' ? null : String(v)));

const Num = z.union([z.number().finite(), z.string().trim().regex(/^-?\d+(\.\d+)?$/), z.null()]).optional().transform((v) => (v === null || v === undefined ? null : Number(v)));

const base = { id: Id, uid: Text, active: Active, created_at: OptEpoch, modified_at: OptEpoch };

export const EzAppointment = z.object({
  ...base,
  start_at: Epoch,
  end_at: OptEpoch,
  duration: Num,
  type_id: RefId,
  status_id: RefId,
  description: Text,
  animal_id: RefId,
  contact_id: RefId,
  consult_id: RefId,
  resources: z
    .union([z.array(z.union([z.object({ id: Id }).loose(), Id])), z.null()]).optional()
    .transform((list) => (list ?? []).map((r) => (typeof r === 'string' ? r : r.id))),
  cancellation_reason_text: Text,
});
export type EzAppointment = z.infer<typeof EzAppointment>;

export const EzAppointmentType = z.object({ ...base, name: Text, duration: Num });
export type EzAppointmentType = z.infer<typeof EzAppointmentType>;

export const EzAppointmentStatus = z.object({ ...base, name: Text });
export type EzAppointmentStatus = z.infer<typeof EzAppointmentStatus>;

export const EzResource = z.object({ ...base, name: Text, type: Text });
export type EzResource = z.infer<typeof EzResource>;

export const EzConsult = z.object({ ...base, date: OptEpoch, animal_id: RefId, vet_id: RefId, reason: Text, status: Text });
export type EzConsult = z.infer<typeof EzConsult>;

/** An assessment or a plan: the clinical record's notes of one consult. */
export const EzClinicalNote = z.object({ ...base, consult_id: RefId, notes: Text });
export type EzClinicalNote = z.infer<typeof EzClinicalNote>;

export const EzPresentingProblemLink = z.object({ ...base, consult_id: RefId, presenting_problem_id: RefId });
export type EzPresentingProblemLink = z.infer<typeof EzPresentingProblemLink>;

export const EzNamed = z.object({ ...base, name: Text });
export type EzNamed = z.infer<typeof EzNamed>;

export const EzInvoiceLine = z.object({ ...base, consult_id: RefId, name: Text, quantity: Num, is_declined: Active.optional() });
export type EzInvoiceLine = z.infer<typeof EzInvoiceLine>;

export const EzAnimal = z.object({ ...base, name: Text, contact_id: RefId, species_id: RefId, breed_id: RefId });
export type EzAnimal = z.infer<typeof EzAnimal>;

export const EzContact = z.object({ ...base, first_name: Text, last_name: Text });
export type EzContact = z.infer<typeof EzContact>;

export const EzContactDetail = z.object({ ...base, contact_id: RefId, contact_detail_type_id: RefId, name: Text, value: Text });
export type EzContactDetail = z.infer<typeof EzContactDetail>;

const BusinessHours = z.array(
  z.object({
    days_of_week: z.array(z.coerce.number().int().min(1).max(7)),
    start_time: z.string().regex(/^\d{2}:\d{2}(:\d{2})?$/),
    end_time: z.string().regex(/^\d{2}:\d{2}(:\d{2})?$/),
  }),
);
/** Site information; `business_hours` and `slot_interval` are our extension (docs/ezyvet-wire.md section 10). */
export const EzSiteInformation = z.object({
  id: Id.optional(),
  timezone: Text,
  business_hours: z.union([BusinessHours, z.null()]).optional(),
  slot_interval: Num,
});
export type EzSiteInformation = z.infer<typeof EzSiteInformation>;

/** The records of one page of a list answer, unwrapped from their `{"<resource>": {...}}` holders. */
export interface ListPage {
  records: unknown[];
  page: number;
  pageTotal: number;
  total: number | null;
  /** The server's epoch time of the answer (meta.timestamp), when it gave one. */
  timestamp: number | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function metaNumber(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return Number(v.trim());
  return null;
}

/** The record an item holds: under the resource's name (any case), or the item itself. */
export function unwrapItem(item: unknown, resource: string): unknown {
  if (!isRecord(item)) return item;
  const keys = Object.keys(item);
  const key = keys.find((k) => k.toLowerCase() === resource.toLowerCase());
  if (key !== undefined) return item[key];
  if (keys.length === 1 && isRecord(item[keys[0]]) && !('id' in item)) return item[keys[0]];
  return item;
}

/** Reads ezyVet's list envelope ({meta, items, messages}); pims_bad_response when it is not one. */
export function readListPage(body: unknown, resource: string): ListPage {
  if (!isRecord(body) || !Array.isArray(body.items)) throw pimsBadResponse(`ezyVet answered ${resource} without a list of items`);
  const meta = isRecord(body.meta) ? body.meta : {};
  const page = metaNumber(meta.items_page) ?? 1;
  const pageTotal = metaNumber(meta.items_page_total);
  if (pageTotal === null) throw pimsBadResponse(`ezyVet answered ${resource} without meta.items_page_total`);
  return {
    records: body.items.map((i) => unwrapItem(i, resource)),
    page,
    pageTotal,
    total: metaNumber(meta.items_total),
    timestamp: metaNumber(meta.timestamp),
  };
}

/** The first record of a create/update answer (an envelope with one item, or the bare record). */
export function readSingle(body: unknown, resource: string): unknown {
  if (isRecord(body) && Array.isArray(body.items)) return body.items.length > 0 ? unwrapItem(body.items[0], resource) : null;
  return unwrapItem(body, resource);
}

/** The text of ezyVet's error body ({messages: [{level, type, text}]}), or null. */
export function errorText(body: unknown): string | null {
  if (!isRecord(body) || !Array.isArray(body.messages)) return null;
  const texts = body.messages.filter(isRecord).map((m) => (typeof m.text === 'string' ? m.text.trim() : '')).filter((t) => t !== '');
  return texts.length > 0 ? texts.join(' ').slice(0, 300) : null;
}

/** Parses records with a schema: the readable ones and how many were not. */
export function parseRecords<T>(schema: z.ZodType<T>, records: unknown[]): { ok: T[]; bad: number } {
  const ok: T[] = [];
  let bad = 0;
  for (const r of records) {
    const p = schema.safeParse(r);
    if (p.success) ok.push(p.data);
    else bad += 1;
  }
  return { ok, bad };
}

/** The id of a raw record when it has a readable one. */
export function rawId(record: unknown): string | null {
  if (!isRecord(record)) return null;
  const p = Id.safeParse(record.id);
  return p.success ? p.data : null;
}
