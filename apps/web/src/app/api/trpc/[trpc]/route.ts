import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { env } from '@/env';
import { MAX_TRPC_BATCH_SIZE } from '@/lib/trpc-limits';
import { appRouter } from '@/server/api/root';
import { createTRPCContext } from '@/server/api/trpc';
import { isCrossOrigin } from '@/server/http/forwarded';

export const dynamic = 'force-dynamic';

/**
 * Cross-site request guard for mutations (tRPC sends them as POST): the session cookie is
 * SameSite=Lax already; this also refuses a POST whose Sec-Fetch-Site says another site, or whose
 * Origin (or Referer) is not this app's full origin: scheme, host and port. X-Forwarded-Host and
 * -Proto count only with TRUST_PROXY (see src/server/http/forwarded.ts).
 */
function crossSite(req: Request): boolean {
  return req.method === 'POST' && isCrossOrigin(req.headers, env().TRUST_PROXY);
}

function handler(req: Request) {
  if (crossSite(req)) {
    return Response.json({ error: { message: 'Cross-site request refused', code: 'FORBIDDEN' } }, { status: 403 });
  }
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext: () => createTRPCContext({ headers: req.headers }),
    // Mutations must be POST; tRPC refuses a mutation over GET (METHOD_NOT_SUPPORTED).
    allowMethodOverride: false,
    // A batch of more calls is refused whole: 400 BAD_REQUEST "Batch call exceeds maximum size".
    maxBatchSize: MAX_TRPC_BATCH_SIZE,
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR' || error.code === 'BAD_GATEWAY' || error.code === 'SERVICE_UNAVAILABLE') {
        console.error(`[trpc] ${path ?? '<no path>'}: ${error.message}`, error.cause ?? '');
      }
    },
  });
}

export { handler as GET, handler as POST };
