import { z } from 'zod';
import { pimsWriteUnsupported } from './errors';
import type { AppointmentsResult, PimsAppointment, PimsConsultation, PimsScheduleConfig } from './records';
import type { PimsWriteSession } from './writes';

/** The PIMS a clinic uses: the values of `clinics.pims_provider`. */
export const PIMS_PROVIDERS = ['idexx_neo', 'ezyvet'] as const;
export const PimsProviderName = z.enum(PIMS_PROVIDERS);
export type PimsProviderName = z.infer<typeof PimsProviderName>;

export interface PimsCredentials {
  baseUrl: string;
  companyId?: string | null;
  username: string;
  password: string;
}

export interface PimsSessionOptions {
  /** The clinic's IANA time zone: PIMS times are clinic-local. */
  timezone: string;
  signal?: AbortSignal;
}

export interface PimsCallOptions {
  signal?: AbortSignal;
}

/**
 * A logged-in session with one clinic's PIMS (read side). Errors are AppError with codes
 * pims_auth_failed, pims_mfa_required, pims_unavailable, pims_bad_response (see errors.ts).
 */
export interface PimsSession {
  /** Appointments whose clinic-local start date is between from and to, both included. */
  getAppointments(from: string, to: string, opts?: PimsCallOptions): Promise<AppointmentsResult>;
  /** One appointment by id, wherever it moved to; null when the PIMS has no such visit (or it is a block). */
  getAppointment(id: string, opts?: PimsCallOptions): Promise<PimsAppointment | null>;
  getConsultation(id: string, opts?: PimsCallOptions): Promise<PimsConsultation | null>;
  getScheduleConfig(opts?: PimsCallOptions): Promise<PimsScheduleConfig>;
  /** The write side, when this provider can write (see `canWrite`). */
  readonly writes?: PimsWriteSession;
  close(): Promise<void>;
}

/** A session that can write into the PIMS. */
export type PimsWritableSession = PimsSession & { readonly writes: PimsWriteSession };

export function canWrite(session: PimsSession): session is PimsWritableSession {
  return session.writes !== undefined && session.writes !== null;
}

/** The write side of a session, or pims_write_unsupported naming the provider. */
export function requireWrites(session: PimsSession, provider: string): PimsWriteSession {
  if (!canWrite(session)) throw pimsWriteUnsupported(provider);
  return session.writes;
}

/** One PIMS product: logs clinics in and owns what their sessions share (a browser, an HTTP agent). */
export interface PimsProvider {
  readonly name: PimsProviderName;
  /** Logs in and returns a session; throws pims_auth_failed / pims_mfa_required / pims_unavailable. */
  authenticate(credentials: PimsCredentials, opts: PimsSessionOptions): Promise<PimsSession>;
  /** Starts shared resources ahead of the first session (e.g. launches the browser). Optional. */
  warmUp?(): Promise<void>;
  /** Closes shared resources (and the sessions still open). */
  close(): Promise<void>;
}
