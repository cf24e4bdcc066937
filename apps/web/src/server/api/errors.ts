import { TRPCError } from '@trpc/server';
import { PimsSyncError, PimsSyncUnavailableError } from '../pims-sync-client';

export const SYNC_ALREADY_RUNNING_MESSAGE = 'A sync is already running for this clinic';

/**
 * A TRPCError whose message is written for the admin and may be shown as is. Any other internal
 * error reaches the browser as a generic message (see the error formatter in trpc.ts).
 */
export class ExposedTRPCError extends TRPCError {}

/** Why a sync could not start: the running sync of that clinic (for the 409 case). */
export interface ConflictDetails {
  activeSyncId?: string;
}

/** Turns a pims-sync failure into the tRPC error the dashboard shows. */
export function toTRPCError(err: unknown): TRPCError {
  if (err instanceof TRPCError) return err;
  if (err instanceof PimsSyncError) {
    switch (err.status) {
      case 409:
        // A sync of that clinic is queued or running: the dashboard's own words (with activeSyncId).
        // Any other conflict (a write-back that is not failed, a voice assistant in use) says why itself.
        return new ExposedTRPCError({
          code: 'CONFLICT',
          message: err.code === 'sync_in_progress' || !err.message ? SYNC_ALREADY_RUNNING_MESSAGE : err.message,
          cause: err,
        });
      case 400:
      case 422:
        return new ExposedTRPCError({ code: 'BAD_REQUEST', message: err.message || 'pims-sync rejected the request', cause: err });
      case 404:
        return new ExposedTRPCError({ code: 'NOT_FOUND', message: err.message || 'Not found', cause: err });
      case 401:
      case 403:
        // The admin is signed in; it is the dashboard's own key that pims-sync refused.
        return new ExposedTRPCError({
          code: 'INTERNAL_SERVER_ERROR',
          message: "pims-sync refused the dashboard's API key (check PIMS_SYNC_API_KEY)",
          cause: err,
        });
      case 429:
        return new ExposedTRPCError({ code: 'TOO_MANY_REQUESTS', message: 'pims-sync is busy; try again in a moment', cause: err });
      default:
        if (err.status >= 400 && err.status < 500) {
          return new ExposedTRPCError({ code: 'BAD_REQUEST', message: err.message, cause: err });
        }
        return new ExposedTRPCError({ code: 'BAD_GATEWAY', message: 'The sync service failed to handle the request', cause: err });
    }
  }
  if (err instanceof PimsSyncUnavailableError) {
    switch (err.reason) {
      case 'not_configured':
        return new ExposedTRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'The dashboard is not configured to reach pims-sync (PIMS_SYNC_API_KEY)', cause: err });
      case 'bad_response':
        return new ExposedTRPCError({ code: 'BAD_GATEWAY', message: 'The sync service answered something unexpected', cause: err });
      default:
        return new ExposedTRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'The sync service is unavailable; try again in a moment', cause: err });
    }
  }
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: err instanceof Error ? err : undefined, message: 'Internal error' });
}

/** Runs a pims-sync call and maps its failure. */
export async function callPimsSync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toTRPCError(err);
  }
}
