import { Hono } from 'hono';
import {
  ActiveSyncsQuery,
  SyncHistoryQuery,
  SyncIdParam,
  TriggerCaseSyncInput,
  TriggerFullSyncInput,
  TriggerInboundSyncInput,
  TriggerReconcileInput,
  type ActiveSyncsOutput,
  type CancelSyncOutput,
  type SyncAudit,
  type SyncHistoryOutput,
  type SyncType,
  type TriggerSyncOutput,
} from '@pims/sync-contracts';
import type { AuditsRepository } from '@pims/sync-data-access';
import { AppError } from '@pims/util';
import { validate } from '../http/validate';
import type { SyncService } from '../services/sync-service';

const queued = (audit: SyncAudit): TriggerSyncOutput => ({ syncId: audit.id, status: 'queued' });

/**
 * Sync routes. Every trigger creates a queued audit and its job and answers 202 at once; a clinic
 * with a queued or running sync answers 409 sync_in_progress with that sync's id.
 */
export function syncRoute(deps: { audits: AuditsRepository; syncs: SyncService }) {
  const { audits, syncs } = deps;
  /** Queues one sync of a clinic with the options of its route. */
  const trigger = async (
    b: { clinicId: string; triggeredBy: 'admin' | 'api'; requestedBy?: string },
    syncType: SyncType,
    options: Record<string, unknown>,
  ): Promise<TriggerSyncOutput> =>
    queued(await syncs.enqueue({ clinicId: b.clinicId, syncType, triggeredBy: b.triggeredBy, requestedBy: b.requestedBy, options }));
  return (
    new Hono()
      .post('/sync/full', validate('json', TriggerFullSyncInput), async (c) => {
        const b = c.req.valid('json');
        const { bidirectional, backwardDays, forwardDays, reconciliationDays, allowMassDelete } = b;
        return c.json(await trigger(b, 'full', { bidirectional, backwardDays, forwardDays, reconciliationDays, allowMassDelete }), 202);
      })
      .post('/sync/inbound', validate('json', TriggerInboundSyncInput), async (c) => {
        const b = c.req.valid('json');
        return c.json(await trigger(b, 'inbound', { forwardDays: b.forwardDays }), 202);
      })
      .post('/sync/cases', validate('json', TriggerCaseSyncInput), async (c) => {
        const b = c.req.valid('json');
        return c.json(await trigger(b, 'cases', { backwardDays: b.backwardDays }), 202);
      })
      .post('/sync/reconcile', validate('json', TriggerReconcileInput), async (c) => {
        const b = c.req.valid('json');
        return c.json(await trigger(b, 'reconciliation', { reconciliationDays: b.lookbackDays, allowMassDelete: b.allowMassDelete }), 202);
      })
      // The fixed paths are registered before /sync/:syncId.
      .get('/sync/history', validate('query', SyncHistoryQuery), async (c) => {
        const q = c.req.valid('query');
        const page: SyncHistoryOutput = await audits.list(q);
        return c.json(page, 200);
      })
      .get('/sync/active', validate('query', ActiveSyncsQuery), async (c) => {
        const q = c.req.valid('query');
        const body: ActiveSyncsOutput = { items: await audits.findActive(q.clinicId) };
        return c.json(body, 200);
      })
      .get('/sync/:syncId', validate('param', SyncIdParam), async (c) => {
        const { syncId } = c.req.valid('param');
        const audit = await audits.findById(syncId);
        if (!audit) throw new AppError('sync_not_found', 'No sync with this id', { status: 404 });
        return c.json(audit, 200);
      })
      .post('/sync/:syncId/cancel', validate('param', SyncIdParam), async (c) => {
        const { syncId } = c.req.valid('param');
        const { audit, cancelRequested } = await syncs.cancel(syncId);
        const body: CancelSyncOutput = { syncId: audit.id, status: audit.status, cancelRequested };
        return c.json(body, 202);
      })
  );
}
