import { isEzyvetCredentials, pimsAuthFailed, type EzyvetCredentials, type PimsCredentials, type PimsProvider, type PimsRequestObserver, type PimsSessionOptions } from '@pims/pims';
import { AppError, isValidTimeZone } from '@pims/util';
import { ClinicCache } from './cache';
import { EzyvetHttp } from './http';
import { redactingLogger, type PimsLogger } from './logger';
import { Lru } from './lru';
import { RateLimiter, type RateLimitOptions } from './rate-limit';
import { resolveRetryPolicy, throwIfAborted, type RetryOptions, type RetryPolicy } from './retry';
import { EzyvetSession } from './session';
import { baseUrlOf, clinicKeyOf, TokenStore } from './token';
import { EzyvetWrites } from './writes';

/** Default of `recheckAfterMs`. */
export const RECHECK_AFTER_MS = 10_000;

export interface EzyvetProviderOptions {
  logger?: PimsLogger;
  /** Told of every HTTP request (endpoint by ezyVet resource: 'appointment', 'consult', 'oauth', ...). */
  observer?: PimsRequestObserver;
  /** Per-request timeout, default 30 000 ms. */
  requestTimeoutMs?: number;
  /** Backoff for 429, 5xx and network errors (default 4 retries, 500 ms base, doubling, 50% jitter). */
  retry?: RetryOptions;
  /** ezyVet's rate limits as the provider keeps to them (default 60 a minute per endpoint, 180 per clinic). */
  rateLimit?: RateLimitOptions;
  /** Seconds subtracted from the last fetch's mark when asking what changed (default 300). */
  safetyMarginSeconds?: number;
  /** Clinics whose appointments the provider keeps between syncs (default 50). */
  maxCachedClinics?: number;
  /** Requests in flight for one call's lookups (default 4). */
  concurrency?: number;
  /** Records per page, ezyVet's `limit` (default 200, 1..200). */
  pageSize?: number;
  /**
   * The longest (ms) one check of what changed in ezyVet answers the windows of a clinic not asked
   * since that check (default 10 000: the phases of one sync follow each other). A window inside one
   * already answered since the check (a later sync, a second look) always asks again, and a one-day
   * window is always read in full (docs/ezyvet-wire.md section 8).
   */
  recheckAfterMs?: number;
  /** Randomness of the backoff jitter (for tests). */
  random?: () => number;
  /** The provider's clock in ms, for token lifetimes and cache ages (for tests; default Date.now). */
  now?: () => number;
}

export interface EzyvetProvider extends PimsProvider {
  authenticate(credentials: PimsCredentials, opts: PimsSessionOptions): Promise<EzyvetSession>;
  readonly settings: { requestTimeoutMs: number; retry: RetryPolicy; safetyMarginSeconds: number; perEndpointPerMinute: number; perClinicPerMinute: number };
  openSessions(): number;
  /** Access tokens issued to this provider so far. */
  tokensIssued(): number;
  /** Forgets what the provider keeps of clinics' appointments (the next fetch of each is full). */
  clearCache(): void;
}

function positiveInt(name: string, value: number | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) throw new AppError('invalid_input', `${name} must be a whole number from 1 to ${max}`, { status: 400 });
  return value;
}

function checkCredentials(c: PimsCredentials): EzyvetCredentials {
  if (!c || !isEzyvetCredentials(c)) throw pimsAuthFailed('ezyVet needs its API credentials (partnerId, clientId, clientSecret), not a username and password');
  for (const k of ['baseUrl', 'partnerId', 'clientId', 'clientSecret'] as const) {
    if (typeof c[k] !== 'string' || c[k].trim() === '') throw pimsAuthFailed(`ezyVet credentials need a ${k}`);
  }
  let url: URL;
  try {
    url = new URL(baseUrlOf(c.baseUrl));
  } catch {
    throw new AppError('invalid_input', 'The ezyVet base URL is not a URL', { status: 400 });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AppError('invalid_input', 'The ezyVet base URL must be http(s)', { status: 400 });
  return c;
}

/**
 * The ezyVet PimsProvider over plain HTTP (docs/ezyvet-wire.md): bearer tokens shared by all
 * sessions of the same credentials, token buckets per clinic and endpoint, and a bounded cache of
 * clinics' appointments that makes a re-sync ask only for what changed.
 */
export function createEzyvetProvider(opts: EzyvetProviderOptions = {}): EzyvetProvider {
  const retry = resolveRetryPolicy(opts.retry);
  const requestTimeoutMs = positiveInt('requestTimeoutMs', opts.requestTimeoutMs, 30_000);
  const safetyMarginSeconds = opts.safetyMarginSeconds === undefined ? 300 : Math.max(0, Math.floor(opts.safetyMarginSeconds));
  const concurrency = positiveInt('concurrency', opts.concurrency, 4, 32);
  const pageSize = positiveInt('pageSize', opts.pageSize, 200, 200);
  const recheckAfterMs = opts.recheckAfterMs === undefined ? RECHECK_AFTER_MS : Math.max(0, Math.floor(opts.recheckAfterMs));
  const limiter = new RateLimiter(opts.rateLimit);
  const secrets = new Set<string>();
  const now = opts.now ?? (() => Date.now());
  // Client secrets and the bearer tokens issued never reach a log line.
  const issuedTokens = { current: (): readonly string[] => [] };
  const logger = redactingLogger(opts.logger, () => [...secrets, ...issuedTokens.current()]);
  const tokens = new TokenStore({ limiter, retry, requestTimeoutMs, logger, observer: opts.observer, random: opts.random, now });
  issuedTokens.current = () => tokens.current();
  const caches = new Lru<string, ClinicCache>(positiveInt('maxCachedClinics', opts.maxCachedClinics, 50, 10_000));
  const sessions = new Set<EzyvetSession>();
  let closed = false;

  const closedError = () => new AppError('pims_provider_closed', 'The ezyVet provider has been closed', { status: 503, retryable: false });

  return {
    name: 'ezyvet',
    settings: { requestTimeoutMs, retry, safetyMarginSeconds, perEndpointPerMinute: limiter.perEndpointPerMinute, perClinicPerMinute: limiter.perClinicPerMinute },
    openSessions: () => sessions.size,
    tokensIssued: () => tokens.issued,
    clearCache: () => caches.clear(),

    async authenticate(credentials: PimsCredentials, sessionOpts: PimsSessionOptions): Promise<EzyvetSession> {
      if (closed) throw closedError();
      const c = checkCredentials(credentials);
      if (!sessionOpts || !isValidTimeZone(sessionOpts.timezone)) throw new AppError('invalid_input', `Unknown clinic time zone: ${String(sessionOpts?.timezone)}`, { status: 400 });
      throwIfAborted(sessionOpts.signal);
      secrets.add(c.clientSecret);
      const source = tokens.source(c);
      // Logging in is getting a token: wrong credentials fail here, as pims_auth_failed.
      await source.get(sessionOpts.signal);
      const clinicKey = clinicKeyOf(c);
      const zone = sessionOpts.timezone;
      const http = new EzyvetHttp({
        base: baseUrlOf(c.baseUrl),
        clinicKey,
        tokens: source,
        limiter,
        retry,
        requestTimeoutMs,
        logger,
        observer: opts.observer,
        secrets: () => [c.clientSecret, encodeURIComponent(c.clientSecret)],
        random: opts.random,
      });
      const cacheKey = `${clinicKey}\u0000${zone}`;
      const session = new EzyvetSession({
        http,
        timezone: zone,
        logger,
        cache: () => {
          let cache = caches.get(cacheKey);
          if (!cache) {
            cache = new ClinicCache(zone);
            caches.set(cacheKey, cache);
          }
          return cache;
        },
        safetyMarginSeconds,
        refsTtlMs: 10 * 60_000,
        concurrency,
        recheckAfterMs,
        pageSize,
        now,
        onClose: () => sessions.delete(session),
        writes: (s) => new EzyvetWrites(s, logger),
      });
      if (closed) {
        await session.close();
        throw closedError();
      }
      sessions.add(session);
      return session;
    },

    async close(): Promise<void> {
      closed = true;
      await Promise.all([...sessions].map((s) => s.close()));
      caches.clear();
    },
  };
}
