import { z } from 'zod';
import { SyncStatus, SyncType } from '@pims/sync-contracts';

/** Inputs of the admin.sync procedures (the dashboard's words; the router maps them to pims-sync's). */

const days = (max: number, dflt: number) =>
  z
    .number({ error: 'Enter a number of days' })
    .int('Use whole days')
    .min(1, 'At least 1 day')
    .max(max, `At most ${max} days`)
    .default(dflt);

const clinicId = z.uuid({ error: 'Choose a clinic' });
/** A clinic, or "all": one sync per registered clinic. */
const clinicOrAll = z.union([z.literal('all'), clinicId], { error: 'Choose a clinic, or all clinics' });
const syncId = z.uuid({ error: 'Not a sync id' });

export const triggerFullSyncSchema = z.strictObject({
  clinicId: clinicOrAll,
  /** Days before today for backward inbound and case enrichment (pims-sync's `backwardDays`). */
  lookbackDays: days(90, 14),
  /** Days after today for forward inbound (pims-sync's `forwardDays`). */
  forwardDays: days(90, 14),
});
export type TriggerFullSyncSchema = z.input<typeof triggerFullSyncSchema>;

export const triggerInboundSyncSchema = z.strictObject({
  clinicId: clinicOrAll,
  forwardDays: days(90, 14),
});

export const triggerCaseSyncSchema = z.strictObject({
  clinicId: clinicOrAll,
  lookbackDays: days(90, 14),
});

export const triggerReconciliationSchema = z.strictObject({
  clinicId: clinicOrAll,
  lookbackDays: days(30, 7),
  allowMassDelete: z.boolean().default(false),
});

export const getActiveSyncsSchema = z.strictObject({ clinicId: clinicId.optional() }).default({});

export const getSyncHistorySchema = z
  .strictObject({
    clinicId: clinicId.optional(),
    type: SyncType.optional(),
    status: SyncStatus.optional(),
    limit: z.number().int().min(1).max(100).default(20),
    cursor: z.string().min(1).max(200).nullish(),
  })
  .default({ limit: 20 });

export const syncIdSchema = z.strictObject({ syncId });
