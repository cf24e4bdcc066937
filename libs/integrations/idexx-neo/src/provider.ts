import { isEzyvetCredentials, pimsAuthFailed, type PimsCredentials, type PimsProvider, type PimsRequestObserver, type PimsSessionOptions } from '@pims/pims';
import { AppError, isValidTimeZone } from '@pims/util';
import { BrowserPool } from './browser-pool';
import { MAX_CHUNK_DAYS } from './chunking';
import { redactingLogger, type PimsLogger } from './logger';
import { normalizeBaseUrl } from './neo-http';
import { NeoSession, type IdexxNeoSession } from './neo-session';
import { requestHook, type NeoRequestEvent } from './neo-stats';
import { resolveRetryPolicy, type RetryOptions, type RetryPolicy } from './retry';

export interface IdexxNeoProviderOptions {
  logger?: PimsLogger;
  /** A Chromium binary to drive (the app passes CHROMIUM_PATH); else Playwright's own, else /usr/bin/chromium. */
  chromiumPath?: string | null;
  /** Chromium processes shared by all sessions of this provider (default 1). */
  maxBrowsers?: number;
  /** Per-request (and per-navigation) timeout, default 30 000 ms. */
  requestTimeoutMs?: number;
  /** Backoff for transient failures (default 4 retries, 500 ms base, doubling, 50% jitter). */
  retry?: RetryOptions;
  /** Days per calendar request (default 7, at most 31). */
  chunkDays?: number;
  /** Calendar requests in flight per getAppointments call (default 3). */
  concurrency?: number;
  /** Called after every HTTP exchange with Neo (log-in steps included); for counting and metrics. */
  onRequest?: (event: NeoRequestEvent) => void;
  /** Told of every HTTP exchange as the port's request event (the app's metrics); must not throw. */
  observer?: PimsRequestObserver;
  /** Randomness of the backoff jitter (for tests). */
  random?: () => number;
}

export interface IdexxNeoProvider extends PimsProvider {
  authenticate(credentials: PimsCredentials, opts: PimsSessionOptions): Promise<IdexxNeoSession>;
  /** The settings in force (retry policy resolved). */
  readonly settings: { requestTimeoutMs: number; retry: RetryPolicy; chunkDays: number; concurrency: number; maxBrowsers: number };
  /** Sessions currently open. */
  openSessions(): number;
}

function positiveInt(name: string, value: number | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new AppError('invalid_input', `${name} must be a whole number from 1 to ${max}`, { status: 400 });
  }
  return value;
}

/**
 * The IDEXX Neo PimsProvider: one shared headless Chromium (a small pool) per provider, one
 * BrowserContext per clinic session. close() on a session closes its context; close() on the
 * provider closes every session and the browser.
 */
export function createIdexxNeoProvider(opts: IdexxNeoProviderOptions = {}): IdexxNeoProvider {
  const settings = {
    requestTimeoutMs: positiveInt('requestTimeoutMs', opts.requestTimeoutMs, 30_000),
    retry: resolveRetryPolicy(opts.retry),
    chunkDays: positiveInt('chunkDays', opts.chunkDays, 7, MAX_CHUNK_DAYS),
    concurrency: positiveInt('concurrency', opts.concurrency, 3, 32),
    maxBrowsers: positiveInt('maxBrowsers', opts.maxBrowsers, 1, 16),
  };
  const sessions = new Set<NeoSession>();
  const secrets = new Set<string>();
  const logger = redactingLogger(opts.logger, () => [...secrets]);
  const pool = new BrowserPool({ chromiumPath: opts.chromiumPath, maxBrowsers: settings.maxBrowsers, logger });
  let closed = false;
  const onRequest = requestHook(opts.onRequest, opts.observer);

  return {
    name: 'idexx_neo',
    settings,
    openSessions: () => sessions.size,

    async authenticate(credentials: PimsCredentials, sessionOpts: PimsSessionOptions): Promise<IdexxNeoSession> {
      if (closed) throw new AppError('pims_provider_closed', 'The IDEXX Neo provider has been closed', { status: 503, retryable: false });
      if (!credentials || isEzyvetCredentials(credentials)) throw pimsAuthFailed('IDEXX Neo needs a username and a password, not ezyVet credentials');
      if (typeof credentials.username !== 'string' || credentials.username === '' || typeof credentials.password !== 'string' || credentials.password === '') {
        throw pimsAuthFailed('IDEXX Neo credentials need a username and a password');
      }
      normalizeBaseUrl(credentials.baseUrl);
      if (!sessionOpts || !isValidTimeZone(sessionOpts.timezone)) {
        throw new AppError('invalid_input', `Unknown clinic time zone: ${String(sessionOpts?.timezone)}`, { status: 400 });
      }
      secrets.add(credentials.password);
      const session = await NeoSession.open(
        {
          credentials,
          timezone: sessionOpts.timezone,
          ...settings,
          logger,
          onRequest,
          random: opts.random,
          newContext: () => pool.newContext(),
          withLoginPage: (fn) => pool.withLoginPage(fn),
          onClosed: (s) => sessions.delete(s),
        },
        sessionOpts.signal,
      );
      if (closed) {
        await session.close();
        throw new AppError('pims_provider_closed', 'The IDEXX Neo provider has been closed', { status: 503, retryable: false });
      }
      sessions.add(session);
      return session;
    },

    async warmUp(): Promise<void> {
      if (!closed) await pool.warmUp();
    },

    async close(): Promise<void> {
      closed = true;
      await Promise.all([...sessions].map((s) => s.close()));
      await pool.close();
    },
  };
}
