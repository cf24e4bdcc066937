import { adminBookingsRouter } from './routers/admin/bookings/router';
import { adminClinicsRouter } from './routers/admin/clinics/router';
import { adminSyncRouter } from './routers/admin/sync/router';
import { createCallerFactory, createTRPCRouter } from './trpc';

export const appRouter = createTRPCRouter({
  admin: createTRPCRouter({
    sync: adminSyncRouter,
    clinics: adminClinicsRouter,
    bookings: adminBookingsRouter,
  }),
});

export type AppRouter = typeof appRouter;

/** Server-side caller (tests, server components): `createCaller(ctx).admin.sync.listClinics()`. */
export const createCaller = createCallerFactory(appRouter);
