import { z } from 'zod';
import {
  ActiveSyncsOutput,
  ActiveSyncsQuery,
  CancelSyncOutput,
  CreateClinicInput,
  CreateClinicOutput,
  ErrorBody,
  HealthOutput,
  ListClinicsOutput,
  SyncAudit,
  SyncHistoryOutput,
  SyncHistoryQuery,
  SyncIdParam,
  TriggerCaseSyncInput,
  TriggerFullSyncInput,
  TriggerInboundSyncInput,
  TriggerReconcileInput,
  TriggerSyncOutput,
} from '@pims/sync-contracts';

/**
 * The OpenAPI 3.1 document of the API, generated from the same zod schemas the routes validate
 * with (request schemas as their input side, answers as their output side).
 */

type JsonSchema = Record<string, unknown>;

const input = (s: z.ZodType): JsonSchema => strip(z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
const output = (s: z.ZodType): JsonSchema => strip(z.toJSONSchema(s, { io: 'output', unrepresentable: 'any' }) as JsonSchema);

function strip(schema: JsonSchema): JsonSchema {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const jsonBody = (name: string) => ({ content: { 'application/json': { schema: ref(name) } } });
const answer = (description: string, name: string) => ({ description, ...jsonBody(name) });

const errors = (...statuses: number[]) => {
  const text: Record<number, string> = {
    400: 'Invalid input (validation_error with issues, or invalid_json)',
    401: 'Missing or wrong x-api-key (unauthorized)',
    404: 'Unknown id',
    409: 'Conflict: sync_in_progress (with activeSyncId) or sync_not_active',
    500: 'internal_error',
  };
  return Object.fromEntries([...statuses, 500].map((s) => [String(s), answer(text[s], 'ErrorBody')]));
};

function queryParameters(schema: z.ZodType, where: 'query' | 'path') {
  const js = input(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (js.required ?? []).includes(name),
    schema: s,
  }));
}

const trigger = (summary: string, inputName: string) => ({
  post: {
    summary,
    security: [{ apiKey: [] }],
    requestBody: { required: true, ...jsonBody(inputName) },
    responses: { '202': answer('Queued', 'TriggerSyncOutput'), ...errors(400, 401, 404, 409) },
  },
});

export function buildOpenApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'pims-sync',
      version: '1.0.0',
      description: 'Keeps a veterinary clinic\'s IDEXX Neo and the product database in step. Every /api route needs the x-api-key header.',
    },
    components: {
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } },
      schemas: {
        CreateClinicInput: input(CreateClinicInput),
        CreateClinicOutput: output(CreateClinicOutput),
        ListClinicsOutput: output(ListClinicsOutput),
        TriggerFullSyncInput: input(TriggerFullSyncInput),
        TriggerInboundSyncInput: input(TriggerInboundSyncInput),
        TriggerCaseSyncInput: input(TriggerCaseSyncInput),
        TriggerReconcileInput: input(TriggerReconcileInput),
        TriggerSyncOutput: output(TriggerSyncOutput),
        SyncAudit: output(SyncAudit),
        SyncHistoryOutput: output(SyncHistoryOutput),
        ActiveSyncsOutput: output(ActiveSyncsOutput),
        CancelSyncOutput: output(CancelSyncOutput),
        HealthOutput: output(HealthOutput),
        ErrorBody: output(ErrorBody),
      },
    },
    paths: {
      '/health': {
        get: {
          summary: 'Liveness and readiness: the database and the queue',
          responses: { '200': answer('Healthy', 'HealthOutput'), '503': answer('A check failed', 'HealthOutput') },
        },
      },
      '/api/clinics': {
        post: {
          summary: 'Register a clinic (schedules its nightly sync; starts none)',
          security: [{ apiKey: [] }],
          requestBody: { required: true, ...jsonBody('CreateClinicInput') },
          responses: { '201': answer('Created', 'CreateClinicOutput'), ...errors(400, 401) },
        },
        get: {
          summary: 'Clinics with their last sync (never credentials)',
          security: [{ apiKey: [] }],
          responses: { '200': answer('Clinics', 'ListClinicsOutput'), ...errors(401) },
        },
      },
      '/api/sync/full': trigger('Queue a full sync (backward inbound, case enrichment, forward inbound, reconciliation)', 'TriggerFullSyncInput'),
      '/api/sync/inbound': trigger('Queue a forward schedule sync', 'TriggerInboundSyncInput'),
      '/api/sync/cases': trigger('Queue a consultation enrichment', 'TriggerCaseSyncInput'),
      '/api/sync/reconcile': trigger('Queue a reconciliation', 'TriggerReconcileInput'),
      '/api/sync/history': {
        get: {
          summary: 'Syncs, newest first, a page at a time (nextCursor)',
          security: [{ apiKey: [] }],
          parameters: queryParameters(SyncHistoryQuery, 'query'),
          responses: { '200': answer('A page', 'SyncHistoryOutput'), ...errors(400, 401) },
        },
      },
      '/api/sync/active': {
        get: {
          summary: 'Queued and running syncs with live progress',
          security: [{ apiKey: [] }],
          parameters: queryParameters(ActiveSyncsQuery, 'query'),
          responses: { '200': answer('Active syncs', 'ActiveSyncsOutput'), ...errors(400, 401) },
        },
      },
      '/api/sync/{syncId}': {
        get: {
          summary: 'One sync (its audit row, with phases)',
          security: [{ apiKey: [] }],
          parameters: queryParameters(SyncIdParam, 'path'),
          responses: { '200': answer('The sync', 'SyncAudit'), ...errors(400, 401, 404) },
        },
      },
      '/api/sync/{syncId}/cancel': {
        post: {
          summary: 'Cancel: a queued sync at once, a running one at its next safe point',
          security: [{ apiKey: [] }],
          parameters: queryParameters(SyncIdParam, 'path'),
          responses: { '202': answer('Cancel accepted', 'CancelSyncOutput'), ...errors(400, 401, 404, 409) },
        },
      },
      '/api/openapi.json': {
        get: { summary: 'This document', security: [{ apiKey: [] }], responses: { '200': { description: 'OpenAPI 3.1' }, ...errors(401) } },
      },
    },
  };
}
