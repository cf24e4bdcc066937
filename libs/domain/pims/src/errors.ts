import { AppError, isAppError } from '@pims/util-core';

/**
 * The machine codes a provider's errors carry, whatever the PIMS. The sync engine treats every
 * `pims_*` failure as a sign that the session may be unusable and does not keep it.
 */
export const PIMS_ERROR_CODES = [
  'pims_auth_failed',
  'pims_mfa_required',
  'pims_unavailable',
  'pims_bad_response',
  'pims_not_found',
  'pims_conflict',
  'pims_provider_unknown',
  'pims_write_unsupported',
] as const;
export type PimsErrorCode = (typeof PIMS_ERROR_CODES)[number];

export interface PimsErrorOptions {
  /** Overrides the code's usual HTTP status. */
  status?: number;
  /** Overrides whether the code is usually worth retrying. */
  retryable?: boolean;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** Usual HTTP status and retry hint of each code. */
const DEFAULTS: Record<PimsErrorCode, { status: number; retryable: boolean }> = {
  pims_auth_failed: { status: 401, retryable: false },
  pims_mfa_required: { status: 401, retryable: false },
  pims_unavailable: { status: 503, retryable: true },
  pims_bad_response: { status: 502, retryable: false },
  pims_not_found: { status: 404, retryable: false },
  pims_conflict: { status: 409, retryable: false },
  pims_provider_unknown: { status: 422, retryable: false },
  pims_write_unsupported: { status: 501, retryable: false },
};

/** An AppError with a PIMS code and that code's usual status and retry hint (overridable). */
export function pimsError(code: PimsErrorCode, message: string, opts: PimsErrorOptions = {}): AppError {
  const d = DEFAULTS[code];
  return new AppError(code, message, { status: opts.status ?? d.status, retryable: opts.retryable ?? d.retryable, details: opts.details, cause: opts.cause });
}

/** The PIMS refused the clinic's credentials: retrying will not help until they change. */
export const pimsAuthFailed = (message: string, opts?: PimsErrorOptions) => pimsError('pims_auth_failed', message, opts);
/** The PIMS asks for a second factor: automated sync needs a user without one. */
export const pimsMfaRequired = (message: string, opts?: PimsErrorOptions) => pimsError('pims_mfa_required', message, opts);
/** The PIMS did not answer (network, 5xx, timeouts) after the provider's own retries. */
export const pimsUnavailable = (message: string, opts?: PimsErrorOptions) => pimsError('pims_unavailable', message, opts);
/** The PIMS answered something the provider cannot read. */
export const pimsBadResponse = (message: string, opts?: PimsErrorOptions) => pimsError('pims_bad_response', message, opts);
/** A record a write refers to (patient, client, appointment) does not exist in the PIMS. */
export const pimsNotFound = (message: string, opts?: PimsErrorOptions) => pimsError('pims_not_found', message, opts);
/** The PIMS refused a write because of what it holds (e.g. cancelling a visit that is already finished). */
export const pimsConflict = (message: string, opts?: PimsErrorOptions) => pimsError('pims_conflict', message, opts);
/** The clinic's PIMS has no provider registered in this service. */
export const pimsProviderUnknown = (name: string, known: readonly string[]) =>
  pimsError('pims_provider_unknown', `No PIMS provider '${name}' is registered${known.length ? ` (known: ${known.join(', ')})` : ''}`, { details: { provider: name, known: [...known] } });
/** The clinic's PIMS provider (or this session) cannot write. */
export const pimsWriteUnsupported = (provider: string) =>
  pimsError('pims_write_unsupported', `The ${provider} provider cannot write into the PIMS`, { details: { provider } });

/** True for an AppError whose code is one of the PIMS codes (or `code` given). */
export function isPimsError(err: unknown, code?: PimsErrorCode): err is AppError {
  if (!isAppError(err)) return false;
  return code ? err.code === code : (PIMS_ERROR_CODES as readonly string[]).includes(err.code);
}
