import type { ZodType } from 'zod';
import {
  ActiveSyncsOutput,
  CancelSyncOutput,
  CreateClinicInput,
  CreateClinicOutput,
  ErrorBody,
  HealthOutput,
  ListClinicsOutput,
  SyncAudit,
  SyncHistoryOutput,
  TriggerCaseSyncInput,
  TriggerFullSyncInput,
  TriggerInboundSyncInput,
  TriggerReconcileInput,
  TriggerSyncOutput,
} from '@pims/sync-contracts';

/**
 * The contract's schemas (@pims/sync-contracts) under their component names in the OpenAPI
 * document (`#/components/schemas/<name>`). Validation is the same: the copy only carries the name
 * (zod's own metadata `id`, which the generator reads as the component name; `.openapi(name)` is
 * missing on schemas created before @hono/zod-openapi was imported).
 */
const named = <T extends ZodType>(schema: T, id: string): T => schema.meta({ id }) as T;

export const schemas = {
  CreateClinicInput: named(CreateClinicInput, 'CreateClinicInput'),
  CreateClinicOutput: named(CreateClinicOutput, 'CreateClinicOutput'),
  ListClinicsOutput: named(ListClinicsOutput, 'ListClinicsOutput'),
  TriggerFullSyncInput: named(TriggerFullSyncInput, 'TriggerFullSyncInput'),
  TriggerInboundSyncInput: named(TriggerInboundSyncInput, 'TriggerInboundSyncInput'),
  TriggerCaseSyncInput: named(TriggerCaseSyncInput, 'TriggerCaseSyncInput'),
  TriggerReconcileInput: named(TriggerReconcileInput, 'TriggerReconcileInput'),
  TriggerSyncOutput: named(TriggerSyncOutput, 'TriggerSyncOutput'),
  SyncAudit: named(SyncAudit, 'SyncAudit'),
  SyncHistoryOutput: named(SyncHistoryOutput, 'SyncHistoryOutput'),
  ActiveSyncsOutput: named(ActiveSyncsOutput, 'ActiveSyncsOutput'),
  CancelSyncOutput: named(CancelSyncOutput, 'CancelSyncOutput'),
  HealthOutput: named(HealthOutput, 'HealthOutput'),
  ErrorBody: named(ErrorBody, 'ErrorBody'),
};
