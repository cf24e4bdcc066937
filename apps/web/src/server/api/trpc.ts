import { initTRPC, TRPCError } from '@trpc/server';
import { env } from '@/env';
import { tokenFromHeaders, verifySessionToken, type Session } from '../auth/session';
import { PimsSyncClient, PimsSyncError } from '../pims-sync-client';
import { ExposedTRPCError } from './errors';

export interface TRPCContext {
  /** The verified session, or null when the request carries no valid token. */
  session: Session | null;
  pimsSync: PimsSyncClient;
}

export interface CreateContextOptions {
  headers: Headers;
  /** Overrides for tests; by default both come from the environment. */
  pimsSync?: PimsSyncClient;
  auth?: { secret: string; issuer?: string };
}

let defaultClient: PimsSyncClient | undefined;

export function defaultPimsSyncClient(): PimsSyncClient {
  if (!defaultClient) {
    const e = env();
    defaultClient = new PimsSyncClient({ baseUrl: e.PIMS_SYNC_URL, apiKey: e.PIMS_SYNC_API_KEY });
  }
  return defaultClient;
}

export async function createTRPCContext(opts: CreateContextOptions): Promise<TRPCContext> {
  const auth = opts.auth ?? { secret: env().AUTH_JWT_SECRET, issuer: env().AUTH_JWT_ISSUER };
  const session = await verifySessionToken(tokenFromHeaders(opts.headers), auth);
  return { session, pimsSync: opts.pimsSync ?? defaultPimsSyncClient() };
}

const t = initTRPC.context<TRPCContext>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const exposed = error instanceof ExposedTRPCError || error.code !== 'INTERNAL_SERVER_ERROR';
    return {
      ...shape,
      // Unknown errors never leak their text to the browser.
      message: exposed ? shape.message : 'Something went wrong. Try again, or check the server logs.',
      data: {
        ...shape.data,
        stack: undefined,
        activeSyncId: cause instanceof PimsSyncError ? (cause.activeSyncId ?? null) : null,
        inputIssues: error.code === 'BAD_REQUEST' ? validationIssues(cause) : null,
      },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure;

/** Every admin.* procedure: UNAUTHORIZED without a valid session, FORBIDDEN without the admin role. */
export const adminProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.session) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in as an admin to use the sync dashboard' });
  }
  if (!ctx.session.isAdmin) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'This account is not an admin' });
  }
  return next({ ctx: { ...ctx, session: ctx.session } });
});

/** The issues of an input validation failure (zod or any Standard Schema), for the form to show. */
function validationIssues(cause: unknown): { path: string[]; message: string }[] | null {
  if (!cause || typeof cause !== 'object' || !('issues' in cause) || !Array.isArray(cause.issues)) return null;
  return cause.issues.map((i: { path?: readonly unknown[]; message?: string }) => ({
    path: (i.path ?? []).map((p) => (typeof p === 'object' && p !== null && 'key' in p ? String(p.key) : String(p))),
    message: String(i.message ?? 'Invalid value'),
  }));
}
