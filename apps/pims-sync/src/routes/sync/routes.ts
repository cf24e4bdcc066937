import { createRoute } from '@hono/zod-openapi';
import type { ZodType } from 'zod';
import { ActiveSyncsQuery, SyncHistoryQuery, SyncIdParam } from '@pims/sync-contracts';
import { API_KEY, BODY_ERRORS, errorResponses, jsonContent } from '../../http/openapi';
import { schemas } from '../../http/schemas';

/** A trigger: queues one sync of a clinic, 202 at once; 409 while the clinic has one queued or running. */
const trigger = <P extends string, S extends ZodType>(path: P, summary: string, input: S) =>
  createRoute({
    method: 'post',
    path,
    tags: ['sync'],
    summary,
    security: API_KEY,
    request: { body: { required: true, ...jsonContent(input, 'The clinic and the options of this sync') } },
    responses: {
      202: jsonContent(schemas.TriggerSyncOutput, 'Queued'),
      ...errorResponses(...BODY_ERRORS, 404, 409),
    },
  });

export const full = trigger(
  '/sync/full',
  'Queue a full sync (backward inbound, case enrichment, forward inbound, reconciliation)',
  schemas.TriggerFullSyncInput,
);
export const inbound = trigger('/sync/inbound', 'Queue a forward schedule sync', schemas.TriggerInboundSyncInput);
export const cases = trigger('/sync/cases', 'Queue a consultation enrichment', schemas.TriggerCaseSyncInput);
export const reconcile = trigger('/sync/reconcile', 'Queue a reconciliation', schemas.TriggerReconcileInput);

export const history = createRoute({
  method: 'get',
  path: '/sync/history',
  tags: ['sync'],
  summary: 'Syncs, newest first, a page at a time (nextCursor)',
  security: API_KEY,
  request: { query: SyncHistoryQuery },
  responses: {
    200: jsonContent(schemas.SyncHistoryOutput, 'A page'),
    ...errorResponses(400, 401),
  },
});

export const active = createRoute({
  method: 'get',
  path: '/sync/active',
  tags: ['sync'],
  summary: 'Queued and running syncs with live progress',
  security: API_KEY,
  request: { query: ActiveSyncsQuery },
  responses: {
    200: jsonContent(schemas.ActiveSyncsOutput, 'Active syncs'),
    ...errorResponses(400, 401),
  },
});

export const get = createRoute({
  method: 'get',
  path: '/sync/{syncId}',
  tags: ['sync'],
  summary: 'One sync (its audit row, with phases)',
  security: API_KEY,
  request: { params: SyncIdParam },
  responses: {
    200: jsonContent(schemas.SyncAudit, 'The sync'),
    ...errorResponses(400, 401, 404),
  },
});

export const cancel = createRoute({
  method: 'post',
  path: '/sync/{syncId}/cancel',
  tags: ['sync'],
  summary: 'Cancel: a queued sync at once, a running one at its next safe point',
  security: API_KEY,
  request: { params: SyncIdParam },
  responses: {
    202: jsonContent(schemas.CancelSyncOutput, 'Cancel accepted'),
    ...errorResponses(400, 401, 404, 409),
  },
});
