import type { BrowserContext, Page } from 'playwright';
import {
  pimsBadResponse,
  pimsUnavailable,
  type AppointmentsResult,
  type PimsAppointment,
  type PimsConsultation,
  type NeoCredentials,
  type PimsScheduleConfig,
  type PimsSession,
  type PimsWriteSession,
} from '@pims/pims';
import { AppError, isAppError, redactSecrets, truncate } from '@pims/util';
import { calendarQuery, chunkDateRange } from './chunking';
import { classifyThrown } from './classify';
import { mapWithConcurrency } from './concurrency';
import type { SafeLogger } from './logger';
import { NeoHttp, normalizeBaseUrl, sessionClosedError } from './neo-http';
import { TransientLoginError, loginOnPage, type NeoLoginTarget } from './neo-login';
import { NeoRequestStats, type NeoRequestEvent, type NeoSessionStats } from './neo-stats';
import { collectAppointments, extractEventList, flag, normalizeConsultation, normalizeEvent, normalizeScheduleConfig } from './normalize';
import { NeoWrites } from './neo-writes';
import { backoffDelayMs, raceAbort, sleep, throwIfAborted, type RetryPolicy } from './retry';
import { SESSION_INFO_SCRIPT, parseSessionInfo, type SessionInfo } from './session-info';

/** The IDEXX Neo session: the PimsSession (with its write side) plus request statistics. */
export interface IdexxNeoSession extends PimsSession {
  readonly companyId: string | null;
  readonly writes: PimsWriteSession;
  /** The logged-in user's name as Neo shows it (what its appointments' `booked_by` says), or null. */
  userName(): string | null;
  stats(): NeoSessionStats;
}

export interface NeoSessionConfig {
  credentials: NeoCredentials;
  timezone: string;
  requestTimeoutMs: number;
  retry: RetryPolicy;
  chunkDays: number;
  concurrency: number;
  logger: SafeLogger;
  onRequest?: (event: NeoRequestEvent) => void;
  newContext: () => Promise<BrowserContext>;
  /** Runs a log-in on a shared log-in page (see BrowserPool.withLoginPage). */
  withLoginPage: <T>(fn: (page: Page) => Promise<T>) => Promise<T>;
  onClosed?: (session: NeoSession) => void;
  random?: () => number;
  /** Waits before reading the calendar again for a created appointment not seen at once (default 250, 1000 ms). */
  readBackDelaysMs?: readonly number[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * One clinic's logged-in IDEXX Neo: a page-less BrowserContext holding the session cookies (the
 * log-in itself runs on the browser's shared log-in page, see neo-login.ts), and the JSON calls
 * through it (neo-http.ts). Logs in again on its own when Neo ends the session.
 */
export class NeoSession implements IdexxNeoSession {
  readonly companyId: string | null;
  private readonly base: string;
  private context: BrowserContext | null = null;
  /** Bumped by every successful log-in; a call that saw an expired session compares it. */
  private generation = 0;
  private reloginPromise: Promise<void> | null = null;
  /** The browser context died under us (browser crash): the next call opens a new one. */
  private stale = false;
  private closed = false;
  private readonly requests: NeoRequestStats;
  private readonly http: NeoHttp;
  private readonly loginTarget: NeoLoginTarget;
  /** What the logged-in pages show of the session: the CSRF meta token and the user's name. */
  private info: SessionInfo = { csrfToken: null, userName: null };
  readonly writes: PimsWriteSession;

  private constructor(private readonly config: NeoSessionConfig) {
    this.base = normalizeBaseUrl(config.credentials.baseUrl);
    this.companyId = config.credentials.companyId ?? null;
    this.requests = new NeoRequestStats(this.companyId, config.onRequest);
    this.loginTarget = {
      base: this.base,
      host: this.host(),
      companyId: this.companyId,
      credentials: config.credentials,
      timeoutMs: config.requestTimeoutMs,
      stats: this.requests,
      redact: (m) => this.redact(m),
    };
    this.http = new NeoHttp({
      base: this.base,
      companyId: this.companyId,
      requestTimeoutMs: config.requestTimeoutMs,
      retry: config.retry,
      random: config.random,
      stats: this.requests,
      logger: config.logger,
      state: {
        generation: () => this.generation,
        liveContext: async (signal) => {
          if (this.stale || !this.context) await this.relogin(this.generation, 'browser context closed', signal);
          if (!this.context) throw sessionClosedError();
          return this.context;
        },
        markStale: () => {
          this.stale = true;
        },
        isClosed: () => this.closed,
        relogin: (seen, reason, signal) => this.relogin(seen, reason, signal),
        csrfToken: () => this.info.csrfToken,
        refreshCsrf: (signal) => this.refreshCsrf(signal),
      },
    });
    this.writes = new NeoWrites({
      base: this.base,
      companyId: this.companyId,
      timezone: config.timezone,
      http: this.http,
      logger: config.logger,
      userName: () => this.info.userName,
      readBackDelaysMs: config.readBackDelaysMs,
    });
  }

  userName(): string | null {
    return this.info.userName;
  }

  /** Reads the CSRF token (and user name) again from the dashboard; logs in again when the session is gone. */
  private async refreshCsrf(signal?: AbortSignal): Promise<void> {
    const seen = this.generation;
    const html = await this.http.fetchPage('dashboard', '/dashboard', signal);
    if (html === null) {
      await this.relogin(seen, 'no session when reading the CSRF token', signal);
      return;
    }
    const info = parseSessionInfo(html);
    this.info = { csrfToken: info.csrfToken, userName: info.userName ?? this.info.userName };
  }

  /** Opens a browser context and logs in; closes the context again when the log-in fails. */
  static async open(config: NeoSessionConfig, signal?: AbortSignal): Promise<NeoSession> {
    const session = new NeoSession(config);
    try {
      await session.openContext();
      await session.login(signal);
      return session;
    } catch (err) {
      await session.close();
      throw err;
    }
  }

  stats(): NeoSessionStats {
    return this.requests.snapshot();
  }

  // -------------------------------------------------------------------------------------------
  // PimsSession

  async getAppointments(from: string, to: string, opts: { signal?: AbortSignal } = {}): Promise<AppointmentsResult> {
    const chunks = chunkDateRange(from, to, this.config.chunkDays);
    const started = Date.now();
    const lists = await mapWithConcurrency(chunks, this.config.concurrency, async (chunk) => {
      const q = calendarQuery(chunk);
      const body = await this.http.requestJson('getCalendarEventData', `/appointments/getCalendarEventData?start=${encodeURIComponent(q.start)}&end=${encodeURIComponent(q.end)}`, {
        referer: `${this.base}/schedule`,
        signal: opts.signal,
      });
      return extractEventList(body);
    });
    const result = collectAppointments(lists.flat(), this.config.timezone, from, to);
    const fields = { companyId: this.companyId, from, to, chunks: chunks.length, appointments: result.appointments.length, excluded: result.excluded, skipped: result.skipped, skippedIds: result.skippedIds.slice(0, 20), durationMs: Date.now() - started };
    if (result.skipped > 0) this.log.warn(fields, `Skipped ${result.skipped} unreadable IDEXX Neo calendar record(s)`);
    else this.log.debug(fields, 'Fetched IDEXX Neo appointments');
    return result;
  }

  /**
   * One appointment by id, wherever it is on the calendar now (GET /appointments/getAppointment?id=).
   * Null when Neo has no such appointment (404), when it is deleted, or when it is a block or roster.
   */
  async getAppointment(id: string, opts: { signal?: AbortSignal } = {}): Promise<PimsAppointment | null> {
    const aid = typeof id === 'string' ? id.trim() : String(id ?? '');
    if (aid === '') throw new AppError('invalid_input', 'An appointment id is required', { status: 400 });
    const body = await this.http.requestJson('getAppointment', `/appointments/getAppointment?id=${encodeURIComponent(aid)}`, {
      referer: `${this.base}/schedule`,
      signal: opts.signal,
      allowNotFound: true,
    });
    if (body === null) return null;
    const raw = isRecord(body) && isRecord(body.appointment) ? body.appointment : isRecord(body) && isRecord(body.data) ? body.data : null;
    if (!raw) throw pimsBadResponse('IDEXX Neo sent an appointment in an unexpected format');
    if (flag(raw.deleted)) return null;
    const verdict = normalizeEvent(raw, this.config.timezone);
    if (verdict.kind === 'excluded') return null;
    if (verdict.kind === 'malformed') throw pimsBadResponse(`IDEXX Neo sent appointment ${aid} in an unexpected format (${verdict.reason})`);
    return verdict.appointment;
  }

  async getConsultation(id: string, opts: { signal?: AbortSignal } = {}): Promise<PimsConsultation | null> {
    const cid = typeof id === 'string' ? id.trim() : String(id ?? '');
    if (cid === '') throw new AppError('invalid_input', 'A consultation id is required', { status: 400 });
    const path = `/consultations/${encodeURIComponent(cid)}/page-data`;
    const body = await this.http.requestJson('consultationPageData', path, {
      referer: `${this.base}/consultations/${encodeURIComponent(cid)}`,
      signal: opts.signal,
      allowNotFound: true,
    });
    if (body === null) return null;
    return normalizeConsultation(body, cid);
  }

  async getScheduleConfig(opts: { signal?: AbortSignal } = {}): Promise<PimsScheduleConfig> {
    const body = await this.http.requestJson('getAppointmentView', '/appointments/getAppointmentView', { referer: `${this.base}/schedule`, signal: opts.signal });
    return normalizeScheduleConfig(body);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const context = this.context;
    this.context = null;
    if (context) await context.close().catch(() => undefined);
    this.config.onClosed?.(this);
  }

  // -------------------------------------------------------------------------------------------
  // Log-in

  private get log(): SafeLogger {
    return this.config.logger;
  }

  private async openContext(): Promise<void> {
    const context = await this.config.newContext();
    context.setDefaultTimeout(this.config.requestTimeoutMs);
    context.setDefaultNavigationTimeout(this.config.requestTimeoutMs);
    context.on('close', () => {
      if (this.context === context && !this.closed) this.stale = true;
    });
    this.context = context;
    this.stale = false;
  }

  private redact(message: string): string {
    return redactSecrets(message, [this.config.credentials.password]);
  }

  private host(): string {
    try {
      return new URL(this.base).host;
    } catch {
      return 'unknown';
    }
  }

  /** Logs in, retrying transient failures (network, 5xx, timeouts); refusals and MFA end at once. */
  private async login(signal?: AbortSignal): Promise<void> {
    const policy = this.config.retry;
    let lastReason = 'unknown';
    for (let attempt = 1; attempt <= policy.retries + 1; attempt += 1) {
      throwIfAborted(signal);
      try {
        await raceAbort(this.loginOnce(attempt), signal);
        this.generation += 1;
        this.requests.login();
        this.log.info({ companyId: this.companyId, host: this.host(), attempt }, 'Logged in to IDEXX Neo');
        return;
      } catch (err) {
        if (this.closed) throw sessionClosedError();
        if (!(err instanceof TransientLoginError)) {
          if (isAppError(err)) {
            this.log.warn({ companyId: this.companyId, host: this.host(), code: err.code }, `IDEXX Neo log-in failed: ${err.message}`);
            throw err;
          }
          // Playwright failures while reading the page are treated as transient.
          lastReason = classifyThrown(err).kind === 'closed' ? 'browser context closed' : this.redact(truncate((err instanceof Error ? err.message : String(err)).split('\n')[0], 160));
          if (classifyThrown(err).kind === 'closed') this.stale = true;
        } else {
          lastReason = err.reason;
        }
        if (attempt > policy.retries) break;
        const wait = backoffDelayMs(policy, attempt, err instanceof TransientLoginError ? err.retryAfterMs : null, this.config.random);
        this.log.warn({ companyId: this.companyId, host: this.host(), attempt, waitMs: wait, reason: lastReason }, 'IDEXX Neo log-in attempt failed; retrying');
        await sleep(wait, signal);
      }
    }
    this.requests.failure();
    throw pimsUnavailable(`IDEXX Neo log-in did not succeed after ${policy.retries + 1} attempts (${lastReason})`, {
      details: { companyId: this.companyId, attempts: policy.retries + 1, reason: lastReason },
    });
  }

  /**
   * One log-in attempt through the real form, on the shared log-in page; on success the session's
   * cookies move to this session's own context (which makes the JSON calls and holds no page).
   */
  private async loginOnce(attempt: number): Promise<void> {
    if (this.closed) throw sessionClosedError();
    if (this.stale || !this.context) {
      const old = this.context;
      this.context = null;
      if (old) await old.close().catch(() => undefined);
      await this.openContext();
    }
    const context = this.context!;
    await this.config.withLoginPage(async (page) => {
      await loginOnPage(page, attempt, this.loginTarget);
      // The page is a logged-in one now: it carries the session's CSRF token and the user's name.
      const info = (await page.evaluate(SESSION_INFO_SCRIPT).catch(() => null)) as SessionInfo | null;
      this.info = { csrfToken: info?.csrfToken ?? null, userName: info?.userName ?? this.info.userName };
      await context.clearCookies();
      await context.addCookies(await page.context().cookies());
    });
  }

  /** Logs in again after an expired session; concurrent callers share one log-in. */
  private async relogin(seenGeneration: number, reason: string, signal?: AbortSignal): Promise<void> {
    if (this.generation !== seenGeneration) return;
    if (!this.reloginPromise) {
      this.reloginPromise = (async () => {
        try {
          this.requests.relogin();
          this.log.info({ companyId: this.companyId, host: this.host(), reason }, 'IDEXX Neo session expired; logging in again');
          if (!this.stale && this.context) await this.context.clearCookies().catch(() => undefined);
          await this.login();
        } finally {
          this.reloginPromise = null;
        }
      })();
    }
    await raceAbort(this.reloginPromise, signal);
  }
}
