import type { ClinicSettings, ClinicSummary } from '@pims/sync-contracts';
import { callPimsSync } from '@/server/api/errors';
import { adminProcedure, createTRPCRouter } from '@/server/api/trpc';
import { clinicIdSchema, createClinicSchema, scheduleSchema, testCredentialsSchema, updateClinicSchema } from './schema';

/**
 * admin.clinics: register a clinic, read and change its settings, test its PIMS log-in, read its
 * schedule. Thin: validate with the service's own contracts, call pims-sync, map its errors.
 * Nothing here ever answers a password or secret (pims-sync never sends one back).
 */

/** A clinic of the list with what the list shows of its settings (null when they could not be read). */
export interface ClinicListItem extends ClinicSummary {
  settings: Pick<ClinicSettings, 'syncEnabled' | 'syncCron' | 'nextSyncAt'> | null;
}

/** At most this many settings requests in flight for the list. */
const LIST_CONCURRENCY = 4;

export const adminClinicsRouter = createTRPCRouter({
  list: adminProcedure.query(async ({ ctx }): Promise<ClinicListItem[]> => {
    const { clinics } = await callPimsSync(() => ctx.pimsSync.listClinics());
    const out: ClinicListItem[] = clinics.map((c) => ({ ...c, settings: null }));
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < out.length; i = next++) {
        // The next nightly run lives in each clinic's settings; one that cannot be read leaves a gap, not an error.
        const s = await ctx.pimsSync.getClinic(out[i].id).catch(() => null);
        if (s) out[i].settings = { syncEnabled: s.syncEnabled, syncCron: s.syncCron, nextSyncAt: s.nextSyncAt };
      }
    };
    await Promise.all(Array.from({ length: Math.min(LIST_CONCURRENCY, out.length) }, worker));
    return out;
  }),

  get: adminProcedure.input(clinicIdSchema).query(({ ctx, input }) => callPimsSync(() => ctx.pimsSync.getClinic(input.clinicId))),

  create: adminProcedure.input(createClinicSchema).mutation(({ ctx, input }) => callPimsSync(() => ctx.pimsSync.createClinic(input))),

  update: adminProcedure.input(updateClinicSchema).mutation(({ ctx, input }) => callPimsSync(() => ctx.pimsSync.updateClinic(input.clinicId, input.patch))),

  /** A real log-in with the stored credentials: {ok:true} or {ok:false, error:{code, message}}. */
  testConnection: adminProcedure.input(clinicIdSchema).mutation(({ ctx, input }) => callPimsSync(() => ctx.pimsSync.testConnection(input.clinicId))),

  /** A real log-in with a form's credentials before they are saved. */
  testCredentials: adminProcedure.input(testCredentialsSchema).mutation(({ ctx, input }) => callPimsSync(() => ctx.pimsSync.testCredentials(input))),

  schedule: adminProcedure
    .input(scheduleSchema)
    .query(({ ctx, input }) => callPimsSync(() => ctx.pimsSync.getSchedule(input.clinicId, { from: input.from, to: input.to }))),
});
