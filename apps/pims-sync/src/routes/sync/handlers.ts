import type { RouteHandler } from '@hono/zod-openapi';
import type { ActiveSyncsOutput, CancelSyncOutput, SyncAudit, SyncHistoryOutput, SyncType, TriggerSyncOutput } from '@pims/sync-contracts';
import type { AuditsRepository } from '@pims/sync-data-access';
import { AppError } from '@pims/util';
import type { SyncService } from '../../services/sync-service';
import type * as routes from './routes';

export interface SyncDeps {
  audits: AuditsRepository;
  syncs: SyncService;
}

const queued = (audit: SyncAudit): TriggerSyncOutput => ({ syncId: audit.id, status: 'queued' });

/**
 * Sync routes. Every trigger creates a queued audit and its job and answers 202 at once; a clinic
 * with a queued or running sync answers 409 sync_in_progress with that sync's id.
 */
export function syncHandlers(deps: SyncDeps) {
  const { audits, syncs } = deps;
  /** Queues one sync of a clinic with the options of its route. */
  const trigger = async (
    b: { clinicId: string; triggeredBy: 'admin' | 'api'; requestedBy?: string },
    syncType: SyncType,
    options: Record<string, unknown>,
  ): Promise<TriggerSyncOutput> =>
    queued(await syncs.enqueue({ clinicId: b.clinicId, syncType, triggeredBy: b.triggeredBy, requestedBy: b.requestedBy, options }));

  const full: RouteHandler<typeof routes.full> = async (c) => {
    const b = c.req.valid('json');
    const { bidirectional, backwardDays, forwardDays, reconciliationDays, allowMassDelete } = b;
    return c.json(await trigger(b, 'full', { bidirectional, backwardDays, forwardDays, reconciliationDays, allowMassDelete }), 202);
  };
  const inbound: RouteHandler<typeof routes.inbound> = async (c) => {
    const b = c.req.valid('json');
    return c.json(await trigger(b, 'inbound', { forwardDays: b.forwardDays }), 202);
  };
  const cases: RouteHandler<typeof routes.cases> = async (c) => {
    const b = c.req.valid('json');
    return c.json(await trigger(b, 'cases', { backwardDays: b.backwardDays }), 202);
  };
  const reconcile: RouteHandler<typeof routes.reconcile> = async (c) => {
    const b = c.req.valid('json');
    return c.json(await trigger(b, 'reconciliation', { reconciliationDays: b.lookbackDays, allowMassDelete: b.allowMassDelete }), 202);
  };
  const history: RouteHandler<typeof routes.history> = async (c) => {
    const page: SyncHistoryOutput = await audits.list(c.req.valid('query'));
    return c.json(page, 200);
  };
  const active: RouteHandler<typeof routes.active> = async (c) => {
    const body: ActiveSyncsOutput = { items: await audits.findActive(c.req.valid('query').clinicId) };
    return c.json(body, 200);
  };
  const get: RouteHandler<typeof routes.get> = async (c) => {
    const audit = await audits.findById(c.req.valid('param').syncId);
    if (!audit) throw new AppError('sync_not_found', 'No sync with this id', { status: 404 });
    return c.json(audit, 200);
  };
  const cancel: RouteHandler<typeof routes.cancel> = async (c) => {
    const { audit, cancelRequested } = await syncs.cancel(c.req.valid('param').syncId);
    const body: CancelSyncOutput = { syncId: audit.id, status: audit.status, cancelRequested };
    return c.json(body, 202);
  };

  return { full, inbound, cases, reconcile, history, active, get, cancel };
}
