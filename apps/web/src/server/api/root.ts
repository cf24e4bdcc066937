import { adminSyncRouter } from './routers/admin/sync/router';
import { createCallerFactory, createTRPCRouter } from './trpc';

export const appRouter = createTRPCRouter({
  admin: createTRPCRouter({
    sync: adminSyncRouter,
  }),
});

export type AppRouter = typeof appRouter;

/** Server-side caller (tests, server components): `createCaller(ctx).admin.sync.listClinics()`. */
export const createCaller = createCallerFactory(appRouter);
