'use client';

import { QueryCache, QueryClient, QueryClientProvider, MutationCache } from '@tanstack/react-query';
import { TRPCClientError, httpBatchLink } from '@trpc/client';
import { createTRPCReact } from '@trpc/react-query';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { useState, type ReactNode } from 'react';
import { MAX_TRPC_BATCH_SIZE } from '@/lib/trpc-limits';
import type { AppRouter } from '@/server/api/root';

export const api = createTRPCReact<AppRouter>();

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** The tRPC error code of a failed call (UNAUTHORIZED, CONFLICT, ...), if it is one. */
export function trpcErrorCode(err: unknown): string | undefined {
  return err instanceof TRPCClientError ? (err.data as { code?: string } | undefined)?.code : undefined;
}

const NO_RETRY = new Set(['UNAUTHORIZED', 'FORBIDDEN', 'BAD_REQUEST', 'NOT_FOUND', 'CONFLICT', 'PRECONDITION_FAILED']);

/** The session ended (expired, signed out elsewhere): back to sign-in, then here again. */
function onAuthError(err: unknown) {
  const code = trpcErrorCode(err);
  if ((code === 'UNAUTHORIZED' || code === 'FORBIDDEN') && typeof window !== 'undefined') {
    const next = window.location.pathname + window.location.search;
    window.location.assign(`/sign-in?next=${encodeURIComponent(next)}`);
  }
}

export function TRPCReactProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        queryCache: new QueryCache({ onError: onAuthError }),
        mutationCache: new MutationCache({ onError: onAuthError }),
        defaultOptions: {
          queries: {
            staleTime: 1_000,
            refetchOnWindowFocus: true,
            retry: (count, err) => !NO_RETRY.has(trpcErrorCode(err) ?? '') && count < 2,
          },
          mutations: { retry: false },
        },
      }),
  );
  const [trpcClient] = useState(() =>
    api.createClient({
      links: [httpBatchLink({ url: '/api/trpc', maxItems: MAX_TRPC_BATCH_SIZE, fetch: (url, init) => fetch(url, { ...init, credentials: 'same-origin' }) })],
    }),
  );
  return (
    <api.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </api.Provider>
  );
}
