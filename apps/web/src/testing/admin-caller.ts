import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { expect } from 'vitest';
import { createCaller } from '@/server/api/root';
import { createTRPCContext } from '@/server/api/trpc';
import { SESSION_COOKIE, signSessionToken } from '@/server/auth/session';
import type { PimsSyncClient } from '@/server/pims-sync-client';

/** Router tests: a tRPC caller with a signed-in admin (or none), over a given pims-sync client. */
export const TEST_AUTH_SECRET = 'router-test-secret-that-is-long-enough-0123456789';

export async function callerWithToken(pimsSync: PimsSyncClient, token?: string) {
  const headers = new Headers();
  if (token) headers.set('cookie', `${SESSION_COOKIE}=${token}`);
  return createCaller(await createTRPCContext({ headers, pimsSync, auth: { secret: TEST_AUTH_SECRET } }));
}

export async function adminCaller(pimsSync: PimsSyncClient) {
  const { token } = await signSessionToken({ id: randomUUID(), email: 'admin@example.com' }, { secret: TEST_AUTH_SECRET, ttlSeconds: 600 });
  return callerWithToken(pimsSync, token);
}

export async function trpcError(p: Promise<unknown>): Promise<TRPCError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TRPCError);
    return err as TRPCError;
  }
  throw new Error('expected the call to fail');
}
