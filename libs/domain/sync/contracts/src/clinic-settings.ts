import { z } from 'zod';
import { isValidTimeZone } from '@pims/util-core';
import { safeText, SyncCron, SyncStatus, SyncType, VoiceAssistantId } from './api';
import { LocalTimeString } from './bookings';

/**
 * The clinic settings API: `GET /api/clinics/:id` (never a password or secret), `PATCH
 * /api/clinics/:id` (any of the settings, unknown fields refused) and `POST
 * /api/clinics/:id/test-connection` (a real log-in). Browser-safe: zod only.
 */

const uuid = z.uuid();
const days = (max: number) => z.number().int().min(1).max(max);
const NO_CONTROL = /^\P{Cc}*$/u;

export const ClinicIdParam = z.object({ id: uuid });

/** Business hours and seats of the slot grid the forward sync builds. */
export const ClinicScheduleSettings = z.object({
  openTime: LocalTimeString,
  closeTime: LocalTimeString,
  /** ISO weekdays, 1 = Monday. */
  daysOfWeek: z.array(z.number().int().min(1).max(7)),
  slotDurationMinutes: z.number().int(),
  capacity: z.number().int(),
  /** False while the clinic gave no hours: slots then follow the PIMS's calendar set-up. A PATCH of schedule sets it. */
  hasBusinessHours: z.boolean(),
});
export type ClinicScheduleSettings = z.infer<typeof ClinicScheduleSettings>;

/**
 * Which appointment type, room and attending provider a booking written into the PIMS gets: ids as
 * the PIMS names them. Null: taken from the PIMS's calendar set-up (the first appointment type whose
 * length fits the slot, the first room, the first provider).
 */
export const ClinicWriteDefaults = z.object({
  appointmentTypeId: z.string().nullable(),
  roomId: z.string().nullable(),
  providerId: z.string().nullable(),
});
export type ClinicWriteDefaults = z.infer<typeof ClinicWriteDefaults>;

/** `GET /api/clinics/:id`, and the answer of PATCH. */
export const ClinicSettings = z.object({
  id: uuid,
  name: z.string(),
  timezone: z.string(),
  pimsProvider: z.enum(['idexx_neo', 'ezyvet']),
  /** Where and as whom the product logs in; never the password. */
  pims: z.object({
    baseUrl: z.string(),
    companyId: z.string().optional(),
    username: z.string().optional(),
    clientId: z.string().optional(),
  }),
  schedule: ClinicScheduleSettings,
  /** Cron of the nightly full sync, in the clinic's time zone. */
  syncCron: z.string(),
  /** A nightly run missed (no worker up) still runs within this many hours of its time. */
  catchUpHours: z.number().int(),
  backwardDays: z.number().int(),
  forwardDays: z.number().int(),
  reconciliationDays: z.number().int(),
  syncEnabled: z.boolean(),
  voiceAssistantId: z.string().nullable(),
  writeDefaults: ClinicWriteDefaults,
  /** The next nightly run; null until the dispatcher plans it (a new clinic, a changed cron, zone or syncEnabled). */
  nextSyncAt: z.iso.datetime().nullable(),
  lastSync: z
    .object({ id: uuid, syncType: SyncType, status: SyncStatus, startedAt: z.string().nullable(), completedAt: z.string().nullable() })
    .nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type ClinicSettings = z.infer<typeof ClinicSettings>;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM (00:00 to 24:00)');

/** Any of the hours and seats; the ones left out stay (closeTime after openTime is checked on the result). */
export const ClinicSchedulePatch = z
  .strictObject({
    openTime: hhmm.optional(),
    closeTime: hhmm.optional(),
    daysOfWeek: z
      .array(z.number().int().min(1).max(7))
      .min(1)
      .max(7)
      .refine((d) => new Set(d).size === d.length, 'daysOfWeek has duplicates')
      .optional(),
    slotDurationMinutes: z.number().int().min(5).max(480).optional(),
    capacity: z.number().int().min(1).max(100).optional(),
  })
  .refine((s) => Object.keys(s).length > 0, 'give at least one of openTime, closeTime, daysOfWeek, slotDurationMinutes, capacity')
  .refine((s) => s.openTime === undefined || s.closeTime === undefined || s.closeTime > s.openTime, {
    message: 'closeTime must be after openTime',
    path: ['closeTime'],
  });
export type ClinicSchedulePatch = z.infer<typeof ClinicSchedulePatch>;

const pimsId = safeText().trim().min(1).max(200).nullable().optional();

/** Any of the write defaults, each a PIMS id or null (from the PIMS's calendar set-up); the ones left out stay. */
export const ClinicWriteDefaultsPatch = z
  .strictObject({ appointmentTypeId: pimsId, roomId: pimsId, providerId: pimsId })
  .refine((d) => Object.keys(d).length > 0, 'give at least one of appointmentTypeId, roomId, providerId');
export type ClinicWriteDefaultsPatch = z.infer<typeof ClinicWriteDefaultsPatch>;

/**
 * New PIMS log-in details, stored encrypted. A password left out stays, unless the base URL or the
 * username changes: then it must be given again (a stored password is never sent to a new place or
 * as another user).
 */
export const ClinicPimsPatch = z
  .strictObject({
    /** Only the clinic's own provider: a clinic never changes PIMS through this route. */
    provider: z.enum(['idexx_neo', 'ezyvet']).optional(),
    baseUrl: z.url({ protocol: /^https?$/ }).max(500).regex(NO_CONTROL, 'must not contain control characters').optional(),
    /** Null clears it. */
    companyId: safeText().trim().min(1).max(50).nullable().optional(),
    /** IDEXX Neo. */
    username: safeText().min(1).max(200).optional(),
    password: safeText().min(1).max(200).optional(),
    /** ezyVet. */
    partnerId: safeText().trim().min(1).max(200).optional(),
    clientId: safeText().trim().min(1).max(200).optional(),
    clientSecret: safeText().min(1).max(500).optional(),
  })
  .refine((p) => Object.entries(p).some(([k, v]) => k !== 'provider' && v !== undefined), 'give new PIMS details');
export type ClinicPimsPatch = z.infer<typeof ClinicPimsPatch>;

/** `PATCH /api/clinics/:id`: any of the settings; a changed cron, zone or syncEnabled re-plans the next nightly run. */
export const UpdateClinicInput = z
  .strictObject({
    name: safeText().trim().min(1).max(200).optional(),
    timezone: safeText().max(100).refine(isValidTimeZone, 'expected an IANA time zone such as America/New_York').optional(),
    schedule: ClinicSchedulePatch.optional(),
    syncCron: SyncCron.optional(),
    catchUpHours: z.number().int().min(0).max(23).optional(),
    backwardDays: days(90).optional(),
    forwardDays: days(90).optional(),
    reconciliationDays: days(30).optional(),
    syncEnabled: z.boolean().optional(),
    /** Null unlinks the clinic's voice assistant. */
    voiceAssistantId: VoiceAssistantId.nullable().optional(),
    pims: ClinicPimsPatch.optional(),
    writeDefaults: ClinicWriteDefaultsPatch.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'give at least one setting to change');
export type UpdateClinicInput = z.input<typeof UpdateClinicInput>;

/** `POST /api/clinics/:id/test-connection`: the outcome of a real log-in (200 either way). */
export const TestConnectionOutput = z.union([
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) }),
]);
export type TestConnectionOutput = z.infer<typeof TestConnectionOutput>;
