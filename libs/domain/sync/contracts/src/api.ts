import { z } from 'zod';
import { isValidTimeZone } from '@pims/util-core';

/**
 * Request and response schemas of the pims-sync HTTP API (CONTRACT section 2), shared by the
 * service (validation, OpenAPI) and its clients (the dashboard's server-side client).
 * Browser-safe: zod only.
 */

export const SYNC_TYPES = ['inbound', 'cases', 'reconciliation', 'full'] as const;
export const SYNC_STATUSES = ['queued', 'in_progress', 'completed', 'partial', 'failed', 'cancelled'] as const;
export const TRIGGERED_BY = ['admin', 'api', 'schedule'] as const;
export const PHASE_NAMES = ['backward_inbound', 'case_enrichment', 'forward_inbound', 'reconciliation'] as const;
export const PHASE_STATUSES = ['pending', 'running', 'completed', 'failed', 'held', 'skipped', 'cancelled'] as const;

export const SyncType = z.enum(SYNC_TYPES);
export type SyncType = z.infer<typeof SyncType>;
export const SyncStatus = z.enum(SYNC_STATUSES);
export type SyncStatus = z.infer<typeof SyncStatus>;
export const TriggeredBy = z.enum(TRIGGERED_BY);
export type TriggeredBy = z.infer<typeof TriggeredBy>;
export const PhaseName = z.enum(PHASE_NAMES);
export type PhaseName = z.infer<typeof PhaseName>;
export const PhaseStatus = z.enum(PHASE_STATUSES);
export type PhaseStatus = z.infer<typeof PhaseStatus>;

const days = (max: number) => z.number().int().min(1).max(max);
const uuid = z.uuid();

const NO_CONTROL = /^\P{Cc}*$/u;
const NO_CONTROL_BUT_LINE_BREAKS = /^(?:[\t\n\r]|\P{Cc})*$/u;

/**
 * A string without control characters (NUL, which PostgreSQL refuses, and the other C0/C1 codes
 * and DEL); `multiline` lets a free-text field keep tab, LF and CR. Chain the usual checks after
 * it: `safeText().trim().min(1).max(200)`.
 */
export const safeText = (opts: { multiline?: boolean } = {}) =>
  z
    .string()
    .regex(
      opts.multiline ? NO_CONTROL_BUT_LINE_BREAKS : NO_CONTROL,
      opts.multiline ? 'must not contain control characters (tab and line breaks are allowed)' : 'must not contain control characters',
    );

/**
 * A daily-sync cron: exactly 5 fields (minute hour day-of-month month day-of-week) whose minute is
 * one number, so it runs at most once an hour (`0 2 * * *`, `30 3 * * 1-5`). The service also
 * parses it (cron-parser) before it is stored.
 */
export const SyncCron = safeText()
  .trim()
  .min(9)
  .max(100)
  .regex(/^[0-5]?\d\s+\S+\s+\S+\s+\S+\s+\S+$/, 'expected a 5-field cron whose minute is a single number (at most once an hour), such as "0 2 * * *"');
const trigger = {
  clinicId: uuid,
  triggeredBy: z.enum(['admin', 'api']).default('api'),
  requestedBy: safeText().trim().min(1).max(200).optional(),
};

export const TriggerFullSyncInput = z.strictObject({
  ...trigger,
  bidirectional: z.boolean().default(true),
  // Left out, the day counts come from the clinic's config (default 14 / 14 / 7).
  backwardDays: days(90).optional(),
  forwardDays: days(90).optional(),
  reconciliationDays: days(30).optional(),
  allowMassDelete: z.boolean().default(false),
});
export type TriggerFullSyncInput = z.input<typeof TriggerFullSyncInput>;

export const TriggerInboundSyncInput = z.strictObject({ ...trigger, forwardDays: days(90).optional() });
export type TriggerInboundSyncInput = z.input<typeof TriggerInboundSyncInput>;

export const TriggerCaseSyncInput = z.strictObject({ ...trigger, backwardDays: days(90).optional() });
export type TriggerCaseSyncInput = z.input<typeof TriggerCaseSyncInput>;

export const TriggerReconcileInput = z.strictObject({
  ...trigger,
  lookbackDays: days(30).optional(),
  allowMassDelete: z.boolean().default(false),
});
export type TriggerReconcileInput = z.input<typeof TriggerReconcileInput>;

export const TriggerSyncOutput = z.object({ syncId: uuid, status: z.literal('queued') });
export type TriggerSyncOutput = z.infer<typeof TriggerSyncOutput>;

/** Options stored with a sync (audit `options`), resolved from a trigger and the clinic's config. */
export const SyncOptions = z.object({
  bidirectional: z.boolean().default(true),
  backwardDays: days(90).optional(),
  forwardDays: days(90).optional(),
  reconciliationDays: days(30).optional(),
  allowMassDelete: z.boolean().default(false),
  parallelBatchSize: z.number().int().min(1).max(20).optional(),
});
export type SyncOptions = z.infer<typeof SyncOptions>;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM (00:00 to 24:00)');

export const ClinicScheduleInput = z
  .strictObject({
    openTime: hhmm.default('08:00'),
    closeTime: hhmm.default('18:00'),
    daysOfWeek: z.array(z.number().int().min(1).max(7)).min(1).max(7).default([1, 2, 3, 4, 5]),
    slotDurationMinutes: z.number().int().min(5).max(480).default(30),
    capacity: z.number().int().min(1).max(100).default(2),
    /** Cron of the daily full sync, in the clinic's time zone (default 02:00 every day). */
    syncCron: SyncCron.optional(),
    /** A nightly run missed (no worker up) still runs within this many hours of its time (default 6). */
    catchUpHours: z.number().int().min(0).max(23).optional(),
  })
  .refine((s) => s.closeTime > s.openTime, { message: 'closeTime must be after openTime', path: ['closeTime'] })
  .refine((s) => new Set(s.daysOfWeek).size === s.daysOfWeek.length, { message: 'daysOfWeek has duplicates', path: ['daysOfWeek'] });

/** The id of the clinic's Vapi assistant: the voice tools find their clinic by it (unique). */
export const VoiceAssistantId = safeText().trim().min(1).max(200);

const pimsBaseUrl = z.url({ protocol: /^https?$/ }).max(500).regex(NO_CONTROL, 'must not contain control characters');

/** `POST /api/clinics`: the PIMS log-in is IDEXX Neo's (username, password) or ezyVet's (OAuth client credentials). */
export const CreateClinicInput = z.strictObject({
  name: safeText().trim().min(1).max(200),
  timezone: safeText().max(100).refine(isValidTimeZone, 'expected an IANA time zone such as America/New_York'),
  pims: z.discriminatedUnion('provider', [
    z.strictObject({
      provider: z.literal('idexx_neo'),
      baseUrl: pimsBaseUrl,
      companyId: safeText().trim().min(1).max(50).optional(),
      username: safeText().min(1).max(200),
      password: safeText().min(1).max(200),
    }),
    z.strictObject({
      provider: z.literal('ezyvet'),
      baseUrl: pimsBaseUrl,
      partnerId: safeText().trim().min(1).max(200),
      clientId: safeText().trim().min(1).max(200),
      clientSecret: safeText().min(1).max(500),
    }),
  ]),
  schedule: ClinicScheduleInput.optional(),
  voiceAssistantId: VoiceAssistantId.optional(),
});
export type CreateClinicInput = z.input<typeof CreateClinicInput>;
export const CreateClinicOutput = z.object({ id: uuid });

export const SyncPhase = z.object({
  name: PhaseName,
  status: PhaseStatus,
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  stats: z.record(z.string(), z.number()),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type SyncPhase = z.infer<typeof SyncPhase>;

export const SyncAudit = z.object({
  id: uuid,
  clinicId: uuid,
  clinicName: z.string().nullable(),
  syncType: SyncType,
  status: SyncStatus,
  errorMessage: z.string().nullable(),
  errorCode: z.string().nullable(),
  appointmentsFound: z.number(),
  casesCreated: z.number(),
  casesUpdated: z.number(),
  casesDeleted: z.number(),
  totalItems: z.number(),
  processedItems: z.number(),
  progressPercentage: z.number(),
  currentPhase: PhaseName.nullable(),
  phases: z.array(SyncPhase),
  options: z.record(z.string(), z.unknown()),
  triggeredBy: TriggeredBy,
  requestedBy: z.string().nullable(),
  attempt: z.number(),
  retryOf: uuid.nullable(),
  cancelRequestedAt: z.string().nullable(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SyncAudit = z.infer<typeof SyncAudit>;

export const ClinicSummary = z.object({
  id: uuid,
  name: z.string(),
  timezone: z.string(),
  /** The clinic's PIMS (clinics.pims_provider; the PIMS port's PIMS_PROVIDERS). */
  pimsProvider: z.enum(['idexx_neo', 'ezyvet']),
  lastSync: z
    .object({ id: uuid, syncType: SyncType, status: SyncStatus, startedAt: z.string().nullable(), completedAt: z.string().nullable() })
    .optional(),
});
export type ClinicSummary = z.infer<typeof ClinicSummary>;
export const ListClinicsOutput = z.object({ clinics: z.array(ClinicSummary) });

/** A whole number in a query string, from min to max, with its default. */
export const queryInt = (min: number, max: number, dflt: number) =>
  z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .default(dflt);

export const SyncHistoryQuery = z.strictObject({
  clinicId: uuid.optional(),
  type: SyncType.optional(),
  status: SyncStatus.optional(),
  limit: queryInt(1, 100, 20),
  cursor: safeText().max(200).optional(),
});
export type SyncHistoryQuery = z.output<typeof SyncHistoryQuery>;
export const SyncHistoryOutput = z.object({ items: z.array(SyncAudit), nextCursor: z.string().nullable() });
export type SyncHistoryOutput = z.infer<typeof SyncHistoryOutput>;

export const ActiveSyncsQuery = z.strictObject({ clinicId: uuid.optional() });
export const ActiveSyncsOutput = z.object({ items: z.array(SyncAudit) });
export type ActiveSyncsOutput = z.infer<typeof ActiveSyncsOutput>;

export const SyncIdParam = z.object({ syncId: uuid });
export const CancelSyncOutput = z.object({ syncId: uuid, status: SyncStatus, cancelRequested: z.boolean() });
export type CancelSyncOutput = z.infer<typeof CancelSyncOutput>;

// ErrorBody lives in error-body.ts: its slot_unavailable alternatives are the booking API's slots.

export const HealthOutput = z.object({
  status: z.enum(['ok', 'error']),
  checks: z.object({ database: z.enum(['ok', 'error']), queue: z.enum(['ok', 'error', 'disabled']) }),
});
