import { PimsSyncError, type PimsSyncClient } from '@/server/pims-sync-client';
import { ExposedTRPCError, callPimsSync, toTRPCError } from '@/server/api/errors';
import { adminProcedure, createTRPCRouter } from '@/server/api/trpc';
import {
  getActiveSyncsSchema,
  getSyncHistorySchema,
  syncIdSchema,
  triggerCaseSyncSchema,
  triggerFullSyncSchema,
  triggerInboundSyncSchema,
  triggerReconciliationSchema,
} from './schema';

/**
 * admin.sync: the dashboard's view of pims-sync. Procedures are thin: validate, call pims-sync
 * through the typed server-side client (which holds the API key), map its errors.
 */

export interface TriggerResult {
  /** Syncs queued by this request. */
  started: { clinicId: string; clinicName: string | null; syncId: string }[];
  /** Clinics that already had a queued or running sync ("all" only; a single clinic answers CONFLICT). */
  alreadyRunning: { clinicId: string; clinicName: string | null; activeSyncId: string | null }[];
  /** Clinics pims-sync refused for another reason ("all" only). */
  failed: { clinicId: string; clinicName: string | null; message: string }[];
}

type Trigger = (clinicId: string) => Promise<{ syncId: string }>;

/** At most this many trigger requests in flight when starting every clinic. */
const ALL_CLINICS_CONCURRENCY = 4;

async function triggerForClinics(client: PimsSyncClient, clinicId: string, trigger: Trigger): Promise<TriggerResult> {
  if (clinicId !== 'all') {
    const { syncId } = await callPimsSync(() => trigger(clinicId));
    return { started: [{ clinicId, clinicName: null, syncId }], alreadyRunning: [], failed: [] };
  }
  const { clinics } = await callPimsSync(() => client.listClinics());
  if (clinics.length === 0) {
    throw new ExposedTRPCError({ code: 'PRECONDITION_FAILED', message: 'No clinics are registered yet' });
  }
  const result: TriggerResult = { started: [], alreadyRunning: [], failed: [] };
  const queue = [...clinics];
  const worker = async () => {
    for (let clinic = queue.shift(); clinic; clinic = queue.shift()) {
      try {
        const { syncId } = await trigger(clinic.id);
        result.started.push({ clinicId: clinic.id, clinicName: clinic.name, syncId });
      } catch (err) {
        if (err instanceof PimsSyncError && err.status === 409) {
          result.alreadyRunning.push({ clinicId: clinic.id, clinicName: clinic.name, activeSyncId: err.activeSyncId ?? null });
        } else if (err instanceof PimsSyncError && err.status >= 400 && err.status < 500 && err.status !== 401) {
          result.failed.push({ clinicId: clinic.id, clinicName: clinic.name, message: err.message });
        } else {
          throw toTRPCError(err);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(ALL_CLINICS_CONCURRENCY, clinics.length) }, worker));
  const order = new Map(clinics.map((c, i) => [c.id, i]));
  const byClinic = (a: { clinicId: string }, b: { clinicId: string }) => order.get(a.clinicId)! - order.get(b.clinicId)!;
  result.started.sort(byClinic);
  result.alreadyRunning.sort(byClinic);
  result.failed.sort(byClinic);
  return result;
}

/** Who asked, for pims-sync's audit. */
const requester = (session: { email: string; userId: string }) => (session.email || session.userId).slice(0, 200);

export const adminSyncRouter = createTRPCRouter({
  listClinics: adminProcedure.query(async ({ ctx }) => {
    const { clinics } = await callPimsSync(() => ctx.pimsSync.listClinics());
    return clinics;
  }),

  triggerFullSync: adminProcedure.input(triggerFullSyncSchema).mutation(({ ctx, input }) =>
    triggerForClinics(ctx.pimsSync, input.clinicId, (clinicId) =>
      ctx.pimsSync.triggerFullSync({
        clinicId,
        backwardDays: input.lookbackDays,
        forwardDays: input.forwardDays,
        triggeredBy: 'admin',
        requestedBy: requester(ctx.session),
      }),
    ),
  ),

  triggerInboundSync: adminProcedure.input(triggerInboundSyncSchema).mutation(({ ctx, input }) =>
    triggerForClinics(ctx.pimsSync, input.clinicId, (clinicId) =>
      ctx.pimsSync.triggerInboundSync({ clinicId, forwardDays: input.forwardDays, triggeredBy: 'admin', requestedBy: requester(ctx.session) }),
    ),
  ),

  triggerCaseSync: adminProcedure.input(triggerCaseSyncSchema).mutation(({ ctx, input }) =>
    triggerForClinics(ctx.pimsSync, input.clinicId, (clinicId) =>
      ctx.pimsSync.triggerCaseSync({ clinicId, backwardDays: input.lookbackDays, triggeredBy: 'admin', requestedBy: requester(ctx.session) }),
    ),
  ),

  triggerReconciliation: adminProcedure.input(triggerReconciliationSchema).mutation(({ ctx, input }) =>
    triggerForClinics(ctx.pimsSync, input.clinicId, (clinicId) =>
      ctx.pimsSync.triggerReconcile({
        clinicId,
        lookbackDays: input.lookbackDays,
        allowMassDelete: input.allowMassDelete,
        triggeredBy: 'admin',
        requestedBy: requester(ctx.session),
      }),
    ),
  ),

  getActiveSyncs: adminProcedure.input(getActiveSyncsSchema).query(async ({ ctx, input }) => {
    const { items } = await callPimsSync(() => ctx.pimsSync.getActive({ clinicId: input.clinicId }));
    return items;
  }),

  getSyncHistory: adminProcedure.input(getSyncHistorySchema).query(({ ctx, input }) =>
    callPimsSync(() =>
      ctx.pimsSync.getHistory({
        clinicId: input.clinicId,
        type: input.type,
        status: input.status,
        limit: input.limit,
        cursor: input.cursor ?? undefined,
      }),
    ),
  ),

  getSync: adminProcedure.input(syncIdSchema).query(({ ctx, input }) => callPimsSync(() => ctx.pimsSync.getSync(input.syncId))),

  cancelSync: adminProcedure.input(syncIdSchema).mutation(({ ctx, input }) => callPimsSync(() => ctx.pimsSync.cancelSync(input.syncId))),

  /**
   * A sync whose deletions were held by the mass-delete guard, run again with `allowMassDelete`: the
   * same clinic, type and day windows (read from the stored sync, not from the browser). A held
   * inbound sync runs again as a full sync, the one trigger of forward inbound that takes the option.
   */
  rerunWithMassDelete: adminProcedure.input(syncIdSchema).mutation(async ({ ctx, input }) => {
    const sync = await callPimsSync(() => ctx.pimsSync.getSync(input.syncId));
    if (!sync.phases.some((p) => p.status === 'held')) {
      throw new ExposedTRPCError({ code: 'PRECONDITION_FAILED', message: 'This sync held no deletions: there is nothing to apply' });
    }
    const o = sync.options;
    const days = (v: unknown) => (typeof v === 'number' ? v : undefined);
    const common = { clinicId: sync.clinicId, triggeredBy: 'admin' as const, requestedBy: requester(ctx.session) };
    const { syncId } = await callPimsSync(() =>
      sync.syncType === 'reconciliation'
        ? ctx.pimsSync.triggerReconcile({ ...common, lookbackDays: days(o.reconciliationDays), allowMassDelete: true })
        : ctx.pimsSync.triggerFullSync({
            ...common,
            bidirectional: sync.syncType === 'full' ? o.bidirectional !== false : true,
            backwardDays: days(o.backwardDays),
            forwardDays: days(o.forwardDays),
            reconciliationDays: days(o.reconciliationDays),
            allowMassDelete: true,
          }),
    );
    return { syncId, syncType: sync.syncType === 'reconciliation' ? ('reconciliation' as const) : ('full' as const) };
  }),
});
