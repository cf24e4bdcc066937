import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from '@/server/api/root';
import { createTRPCContext } from '@/server/api/trpc';

export const dynamic = 'force-dynamic';

/**
 * Cross-site request guard for mutations (tRPC sends them as POST): the session cookie is
 * SameSite=Lax already; this also refuses a POST whose Origin or Sec-Fetch-Site says it came from
 * another site.
 */
function crossSite(req: Request): boolean {
  if (req.method !== 'POST') return false;
  const site = req.headers.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.headers.get('origin');
  if (!origin) return false;
  const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host');
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
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
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR' || error.code === 'BAD_GATEWAY' || error.code === 'SERVICE_UNAVAILABLE') {
        console.error(`[trpc] ${path ?? '<no path>'}: ${error.message}`, error.cause ?? '');
      }
    },
  });
}

export { handler as GET, handler as POST };
