import { z } from 'zod';
import { pimsWriteUnsupported } from './errors';
import type { AppointmentsResult, PimsAppointment, PimsConsultation, PimsScheduleConfig } from './records';
import type { PimsWriteSession } from './writes';

/** The PIMS a clinic uses: the values of `clinics.pims_provider`. */
export const PIMS_PROVIDERS = ['idexx_neo', 'ezyvet'] as const;
export const PimsProviderName = z.enum(PIMS_PROVIDERS);
export type PimsProviderName = z.infer<typeof PimsProviderName>;

/** IDEXX Neo logs in as a front-desk user of one company (`provider` may be left out: Neo is the first PIMS). */
export interface NeoCredentials {
  provider?: 'idexx_neo';
  baseUrl: string;
  companyId?: string | null;
  username: string;
  password: string;
}

/** ezyVet: OAuth 2.0 client credentials of an API partner for one clinic's database. */
export interface EzyvetCredentials {
  provider: 'ezyvet';
  baseUrl: string;
  partnerId: string;
  clientId: string;
  clientSecret: string;
}

/** A clinic's PIMS log-in details, by provider. */
export type PimsCredentials = NeoCredentials | EzyvetCredentials;

export function isEzyvetCredentials(c: PimsCredentials): c is EzyvetCredentials {
  return c.provider === 'ezyvet';
}

/** The secret values of credentials (to redact from any message). */
export function credentialSecrets(c: PimsCredentials): string[] {
  const secret = isEzyvetCredentials(c) ? c.clientSecret : c.password;
  return secret ? [secret, encodeURIComponent(secret)] : [];
}

/** A stable string naming who logs in where (a cache key; holds the secret, so hash it before keeping it). */
export function credentialsIdentity(c: PimsCredentials): string {
  return isEzyvetCredentials(c)
    ? JSON.stringify(['ezyvet', c.baseUrl, c.partnerId, c.clientId, c.clientSecret])
    : JSON.stringify(['idexx_neo', c.baseUrl, c.companyId ?? '', c.username, c.password]);
}

/** How one request to a PIMS ended (a metrics label: enum words only). */
export type PimsRequestOutcome = 'ok' | 'error' | 'rate_limited' | 'auth_failed' | 'not_found';

/** One HTTP exchange with a PIMS, reported to a provider's observer. Never carries names or secrets. */
export interface PimsRequestEvent {
  provider: PimsProviderName;
  /** The PIMS's endpoint or resource, a fixed word (e.g. 'getCalendarEventData', 'appointment'). */
  endpoint: string;
  outcome: PimsRequestOutcome;
  durationMs: number;
}

/** Told of every request a provider makes (for metrics); must not throw. */
export type PimsRequestObserver = (event: PimsRequestEvent) => void;

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
