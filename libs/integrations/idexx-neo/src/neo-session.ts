import type { BrowserContext, Page, Response } from 'playwright';
import { AppError, isAppError, redactSecrets, truncate } from '@pims/util';
import { calendarQuery, chunkDateRange } from './chunking';
import { classifyResponse, classifyThrown, isLoginPath, type ResponseVerdict } from './classify';
import { mapWithConcurrency } from './concurrency';
import type { SafeLogger } from './logger';
import { collectAppointments, extractEventList, normalizeConsultation, normalizeScheduleConfig } from './normalize';
import { backoffDelayMs, raceAbort, sleep, throwIfAborted, type RetryPolicy } from './retry';
import type { AppointmentsResult, PimsConsultation, PimsCredentials, PimsScheduleConfig, PimsSession } from './types';

/** The Neo endpoints the client calls, by the names the simulator's stats use. */
export type NeoEndpoint = 'login' | 'getCalendarEventData' | 'getAppointmentView' | 'getAppointment' | 'consultationPageData';

/** One HTTP exchange with Neo, reported to `onRequest` (never carries credentials). */
export interface NeoRequestEvent {
  endpoint: NeoEndpoint;
  /** Path without the query string. */
  path: string;
  companyId: string | null;
  /** HTTP status, or null when no answer came (network error, timeout). */
  status: number | null;
  /**
   * ok: done; not_found: 404; expired: the session had ended (a log-in follows); retry: a transient
   * failure, another attempt follows; failed: the call gives up; auth_failed / mfa_required: log-in refused.
   */
  outcome: 'ok' | 'not_found' | 'expired' | 'retry' | 'failed' | 'auth_failed' | 'mfa_required';
  /** 1 for the first attempt of a call. */
  attempt: number;
  durationMs: number;
  /** Why it was retried or failed (status, timeout, network code). */
  reason?: string;
}

export interface NeoSessionStats {
  /** HTTP requests made, log-in page loads and form posts included. */
  requests: number;
  byEndpoint: Record<NeoEndpoint, number>;
  /** Successful log-ins, the first one included. */
  logins: number;
  /** Log-ins made again because the session had expired. */
  relogins: number;
  /** Attempts repeated after a transient failure. */
  retries: number;
  /** 429 answers. */
  rateLimited: number;
  /** Calls that ended in an error. */
  failures: number;
}

/** The IDEXX Neo session: the PimsSession plus request statistics. */
export interface IdexxNeoSession extends PimsSession {
  readonly companyId: string | null;
  stats(): NeoSessionStats;
}

export interface NeoSessionConfig {
  credentials: PimsCredentials;
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
}

/** Thrown inside one log-in attempt for a failure worth retrying. */
class TransientLoginError extends Error {
  constructor(
    readonly reason: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(reason);
  }
}

type PageState = 'login' | 'mfa' | 'dashboard' | 'other';

/** Normalizes a clinic's base URL: http(s), no trailing slash. */
export function normalizeBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new AppError('invalid_input', 'The IDEXX Neo base URL is not a valid URL', { status: 400 });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('invalid_input', 'The IDEXX Neo base URL must be http or https', { status: 400 });
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function emptyStats(): NeoSessionStats {
  return {
    requests: 0,
    byEndpoint: { login: 0, getCalendarEventData: 0, getAppointmentView: 0, getAppointment: 0, consultationPageData: 0 },
    logins: 0,
    relogins: 0,
    retries: 0,
    rateLimited: 0,
    failures: 0,
  };
}

const MAX_EXPIRED_LOOPS = 4;

const PAGE_STATE_SCRIPT = `(() => {
  var has = function (sel) { return document.querySelector(sel) !== null; };
  var text = document.body ? document.body.innerText : '';
  var password = has('input[type="password"]') || has('input[name="password"]');
  if (has('input[name="mfa_code"]') || has('input[autocomplete="one-time-code"]')) return 'mfa';
  if (!password && /verification code|two-factor|2-step|one-time (pass)?code|authenticator/i.test(text)) return 'mfa';
  if (has('#dashboard_shell')) return 'dashboard';
  if (password || has('input[name="csrf_neo_token"]')) return 'login';
  return 'other';
})()`;

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
  private readonly counters = emptyStats();

  private constructor(private readonly config: NeoSessionConfig) {
    this.base = normalizeBaseUrl(config.credentials.baseUrl);
    this.companyId = config.credentials.companyId ?? null;
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
    return { ...this.counters, byEndpoint: { ...this.counters.byEndpoint } };
  }

  // -------------------------------------------------------------------------------------------
  // PimsSession

  async getAppointments(from: string, to: string, opts: { signal?: AbortSignal } = {}): Promise<AppointmentsResult> {
    const chunks = chunkDateRange(from, to, this.config.chunkDays);
    const started = Date.now();
    const lists = await mapWithConcurrency(chunks, this.config.concurrency, async (chunk) => {
      const q = calendarQuery(chunk);
      const body = await this.requestJson('getCalendarEventData', `/appointments/getCalendarEventData?start=${encodeURIComponent(q.start)}&end=${encodeURIComponent(q.end)}`, {
        referer: `${this.base}/schedule`,
        signal: opts.signal,
      });
      return extractEventList(body);
    });
    const result = collectAppointments(lists.flat(), this.config.timezone, from, to);
    const fields = { companyId: this.companyId, from, to, chunks: chunks.length, appointments: result.appointments.length, excluded: result.excluded, skipped: result.skipped, durationMs: Date.now() - started };
    if (result.skipped > 0) this.log.warn(fields, `Skipped ${result.skipped} unreadable IDEXX Neo calendar record(s)`);
    else this.log.debug(fields, 'Fetched IDEXX Neo appointments');
    return result;
  }

  async getConsultation(id: string, opts: { signal?: AbortSignal } = {}): Promise<PimsConsultation | null> {
    const cid = typeof id === 'string' ? id.trim() : String(id ?? '');
    if (cid === '') throw new AppError('invalid_input', 'A consultation id is required', { status: 400 });
    const path = `/consultations/${encodeURIComponent(cid)}/page-data`;
    const body = await this.requestJson('consultationPageData', path, {
      referer: `${this.base}/consultations/${encodeURIComponent(cid)}`,
      signal: opts.signal,
      allowNotFound: true,
    });
    if (body === null) return null;
    return normalizeConsultation(body, cid);
  }

  async getScheduleConfig(opts: { signal?: AbortSignal } = {}): Promise<PimsScheduleConfig> {
    const body = await this.requestJson('getAppointmentView', '/appointments/getAppointmentView', { referer: `${this.base}/schedule`, signal: opts.signal });
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

  private closedError(): AppError {
    return new AppError('pims_session_closed', 'The IDEXX Neo session has been closed', { status: 503, retryable: false });
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

  private emit(event: Omit<NeoRequestEvent, 'companyId'>): void {
    this.counters.requests += 1;
    this.counters.byEndpoint[event.endpoint] += 1;
    if (event.status === 429) this.counters.rateLimited += 1;
    if (event.outcome === 'retry') this.counters.retries += 1;
    try {
      this.config.onRequest?.({ ...event, companyId: this.companyId });
    } catch {
      // A failing hook never breaks a sync.
    }
  }

  private redact(message: string): string {
    return redactSecrets(message, [this.config.credentials.password]);
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
        this.counters.logins += 1;
        this.log.info({ companyId: this.companyId, host: this.host(), attempt }, 'Logged in to IDEXX Neo');
        return;
      } catch (err) {
        if (this.closed) throw this.closedError();
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
    this.counters.failures += 1;
    throw new AppError('pims_unavailable', `IDEXX Neo log-in did not succeed after ${policy.retries + 1} attempts (${lastReason})`, {
      status: 503,
      retryable: true,
      details: { companyId: this.companyId, attempts: policy.retries + 1, reason: lastReason },
    });
  }

  private host(): string {
    try {
      return new URL(this.base).host;
    } catch {
      return 'unknown';
    }
  }

  private async pageState(page: Page): Promise<PageState> {
    // A string, not a function: a function's source is re-serialized into the page, and under
    // tsx/esbuild (keepNames) its inner helpers reference a `__name` that the page does not have.
    const state = (await page.evaluate(PAGE_STATE_SCRIPT)) as string;
    if (state === 'dashboard' && isLoginPath(page.url())) return 'login';
    return state as PageState;
  }

  private async loginErrorText(page: Page): Promise<string | null> {
    const raw = await page
      .evaluate(() => {
        const el = document.querySelector('#login_error') ?? document.querySelector('.alert-danger') ?? document.querySelector('.alert-error');
        return el ? (el.textContent ?? '').trim() : null;
      })
      .catch(() => null);
    return raw ? this.redact(truncate(raw.replace(/\s+/g, ' '), 160)) : null;
  }

  private authFailed(detail: string | null, companyFieldUnfilled: boolean): AppError {
    this.counters.failures += 1;
    const hint = companyFieldUnfilled ? ' (the log-in page asks for a company id, and none is configured)' : '';
    return new AppError('pims_auth_failed', `IDEXX Neo refused the log-in for company ${this.companyId ?? '(none)'}${detail ? `: ${detail}` : ''}${hint}. Check the clinic's credentials.`, {
      status: 401,
      retryable: false,
      details: { companyId: this.companyId },
    });
  }

  private mfaRequired(): AppError {
    this.counters.failures += 1;
    return new AppError(
      'pims_mfa_required',
      `IDEXX Neo asks for a verification code (multi-factor authentication) for company ${this.companyId ?? '(none)'}; automated sync needs a user without MFA.`,
      { status: 401, retryable: false, details: { companyId: this.companyId } },
    );
  }

  private checkNavigation(resp: Response | null, endpoint: NeoEndpoint, path: string, attempt: number, started: number): void {
    const status = resp ? resp.status() : null;
    if (status !== null && (status >= 500 || status === 429 || status === 408)) {
      this.emit({ endpoint, path, status, outcome: 'retry', attempt, durationMs: Date.now() - started, reason: `status ${status}` });
      const ra = resp?.headers()['retry-after'];
      throw new TransientLoginError(`status ${status} on ${path}`, ra && /^\d+$/.test(ra.trim()) ? Number(ra.trim()) * 1000 : null);
    }
  }

  /**
   * One log-in attempt through the real form, on the shared log-in page; on success the session's
   * cookies move to this session's own context (which makes the JSON calls and holds no page).
   */
  private async loginOnce(attempt: number): Promise<void> {
    if (this.closed) throw this.closedError();
    if (this.stale || !this.context) {
      const old = this.context;
      this.context = null;
      if (old) await old.close().catch(() => undefined);
      await this.openContext();
    }
    const context = this.context!;
    await this.config.withLoginPage(async (page) => {
      await this.loginOnPage(page, attempt);
      await context.clearCookies();
      await context.addCookies(await page.context().cookies());
    });
  }

  private async loginOnPage(page: Page, attempt: number): Promise<void> {
    const timeout = this.config.requestTimeoutMs;
    const loginUrl = `${this.base}/login/`;

    let started = Date.now();
    let resp: Response | null;
    try {
      resp = await page.goto(loginUrl, { waitUntil: 'domcontentloaded', timeout });
    } catch (err) {
      const t = classifyThrown(err);
      this.emit({ endpoint: 'login', path: '/login/', status: null, outcome: 'retry', attempt, durationMs: Date.now() - started, reason: t.kind === 'closed' ? 'closed' : t.reason });
      if (t.kind === 'closed') throw err;
      throw new TransientLoginError(`${t.reason} loading the log-in page`);
    }
    this.checkNavigation(resp, 'login', '/login/', attempt, started);
    const first = await this.pageState(page);
    if (first === 'dashboard') {
      this.emit({ endpoint: 'login', path: '/login/', status: resp?.status() ?? null, outcome: 'ok', attempt, durationMs: Date.now() - started });
      return;
    }
    if (first === 'mfa') {
      this.emit({ endpoint: 'login', path: '/login/', status: resp?.status() ?? null, outcome: 'mfa_required', attempt, durationMs: Date.now() - started });
      throw this.mfaRequired();
    }
    if (first !== 'login') {
      this.emit({ endpoint: 'login', path: '/login/', status: resp?.status() ?? null, outcome: 'failed', attempt, durationMs: Date.now() - started, reason: 'no log-in form' });
      if (resp && resp.status() >= 400) {
        throw new AppError('pims_unavailable', `IDEXX Neo has no log-in page at ${this.host()} (status ${resp.status()}); check the clinic's base URL`, { status: 502, retryable: false });
      }
      throw new TransientLoginError('the log-in page has no log-in form');
    }
    this.emit({ endpoint: 'login', path: '/login/', status: resp?.status() ?? null, outcome: 'ok', attempt, durationMs: Date.now() - started });

    // Fill the real form.
    const { username, password } = this.config.credentials;
    const companyId = this.companyId;
    let companyFieldUnfilled = false;
    const company = page.locator('input[name="company_id"]').first();
    if ((await company.count()) > 0) {
      if (companyId) {
        if (await company.isEditable().catch(() => false)) await company.fill(companyId);
        else await company.evaluate((el, v) => ((el as HTMLInputElement).value = v), companyId);
      } else if (await company.isVisible().catch(() => false)) {
        companyFieldUnfilled = true;
      }
    }
    await page.locator('input[name="username"], input#username, input[name="email"]').first().fill(username);
    const passwordField = page.locator('input[name="password"], input[type="password"]').first();
    await passwordField.fill(password);
    const submit = page.locator('#login_button, form button[type="submit"], form input[type="submit"]').first();

    started = Date.now();
    let navigated: Response | null = null;
    let navError: unknown = null;
    const nav = page.waitForNavigation({ waitUntil: 'domcontentloaded', timeout }).then(
      (r) => (navigated = r),
      (e: unknown) => (navError = e),
    );
    if ((await submit.count()) > 0) await submit.click({ timeout, noWaitAfter: true });
    else await passwordField.press('Enter', { timeout, noWaitAfter: true });
    await nav;
    if (navError) {
      // No navigation: look at what the page shows now before calling it a timeout.
      const t = classifyThrown(navError);
      if (t.kind === 'closed') throw navError;
      const state = await this.pageState(page).catch(() => 'other' as PageState);
      if (state === 'mfa') throw this.mfaRequired();
      if (state === 'dashboard') return;
      const errText = state === 'login' ? await this.loginErrorText(page) : null;
      if (errText) throw this.authFailed(errText, companyFieldUnfilled);
      this.emit({ endpoint: 'login', path: '/login', status: null, outcome: 'retry', attempt, durationMs: Date.now() - started, reason: t.reason });
      throw new TransientLoginError(`${t.reason} after submitting the log-in form`);
    }
    const after = navigated as Response | null;
    this.checkNavigation(after, 'login', '/login', attempt, started);
    let state = await this.pageState(page);
    if (state === 'other' && !isLoginPath(page.url())) {
      // Away from /login but no dashboard shell yet: give a scripted page a moment, then open the dashboard.
      state = (await page
        .waitForSelector('#dashboard_shell', { timeout: Math.min(timeout, 5_000) })
        .then(() => 'dashboard' as const)
        .catch(() => 'other' as const)) as PageState;
      if (state === 'other') {
        const dash = await page.goto(`${this.base}/dashboard`, { waitUntil: 'domcontentloaded', timeout }).catch(() => null);
        this.checkNavigation(dash, 'login', '/dashboard', attempt, started);
        state = await this.pageState(page);
      }
    }
    const status = after?.status() ?? null;
    if (state === 'dashboard' && !isLoginPath(page.url())) {
      this.emit({ endpoint: 'login', path: '/login', status, outcome: 'ok', attempt, durationMs: Date.now() - started });
      return;
    }
    if (state === 'mfa') {
      this.emit({ endpoint: 'login', path: '/login', status, outcome: 'mfa_required', attempt, durationMs: Date.now() - started });
      throw this.mfaRequired();
    }
    if (state === 'login') {
      this.emit({ endpoint: 'login', path: '/login', status, outcome: 'auth_failed', attempt, durationMs: Date.now() - started });
      throw this.authFailed(await this.loginErrorText(page), companyFieldUnfilled);
    }
    this.emit({ endpoint: 'login', path: '/login', status, outcome: 'failed', attempt, durationMs: Date.now() - started, reason: 'no dashboard after log-in' });
    throw new AppError('pims_bad_response', 'IDEXX Neo showed neither its dashboard nor the log-in page after the log-in', { status: 502, retryable: false });
  }

  /** Logs in again after an expired session; concurrent callers share one log-in. */
  private async relogin(seenGeneration: number, reason: string, signal?: AbortSignal): Promise<void> {
    if (this.generation !== seenGeneration) return;
    if (!this.reloginPromise) {
      this.reloginPromise = (async () => {
        try {
          this.counters.relogins += 1;
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

  // -------------------------------------------------------------------------------------------
  // JSON calls

  private async fetchOnce(url: string, referer: string, signal?: AbortSignal): Promise<ResponseVerdict & { httpStatus: number | null }> {
    if (this.closed) throw this.closedError();
    if (this.stale || !this.context) await this.relogin(this.generation, 'browser context closed', signal);
    const context = this.context;
    if (!context) throw this.closedError();
    try {
      const res = await raceAbort(
        context.request.get(url, {
          headers: { Accept: 'application/json', 'X-Requested-With': 'XMLHttpRequest', Referer: referer },
          timeout: this.config.requestTimeoutMs,
          maxRedirects: 0,
          failOnStatusCode: false,
        }),
        signal,
      );
      try {
        const body = await res.text();
        const verdict = classifyResponse({ status: res.status(), headers: res.headers(), body }, url.slice(this.base.length).split('?')[0]);
        return { ...verdict, httpStatus: res.status() };
      } finally {
        await res.dispose().catch(() => undefined);
      }
    } catch (err) {
      if (isAppError(err)) throw err;
      if (this.closed) throw this.closedError();
      const t = classifyThrown(err);
      if (t.kind === 'closed') {
        this.stale = true;
        return { kind: 'transient', reason: 'browser context closed', status: 0, retryAfterMs: null, rateLimited: false, httpStatus: null };
      }
      return { kind: 'transient', reason: t.reason, status: 0, retryAfterMs: null, rateLimited: false, httpStatus: null };
    }
  }

  /**
   * GET a Neo JSON endpoint through the logged-in context. Retries transient failures with backoff,
   * logs in again once when the session expired, and throws pims_unavailable when the budget is spent.
   * Returns null for a 404 when allowNotFound.
   */
  private async requestJson(endpoint: NeoEndpoint, pathAndQuery: string, opts: { referer: string; signal?: AbortSignal; allowNotFound?: boolean }): Promise<unknown> {
    const policy = this.config.retry;
    const url = `${this.base}${pathAndQuery}`;
    const path = pathAndQuery.split('?')[0];
    let attempt = 0;
    let transientFailures = 0;
    let relogged = false;
    let expiredLoops = 0;
    for (;;) {
      throwIfAborted(opts.signal);
      attempt += 1;
      const generation = this.generation;
      const started = Date.now();
      let verdict: Awaited<ReturnType<NeoSession['fetchOnce']>>;
      try {
        verdict = await this.fetchOnce(url, opts.referer, opts.signal);
      } catch (err) {
        this.counters.failures += 1;
        throw err;
      }
      const base = { endpoint, path, status: verdict.httpStatus, attempt, durationMs: Date.now() - started };
      switch (verdict.kind) {
        case 'ok':
          this.emit({ ...base, outcome: 'ok' });
          return verdict.data;
        case 'not_found':
          this.emit({ ...base, outcome: 'not_found' });
          if (opts.allowNotFound) return null;
          this.counters.failures += 1;
          throw new AppError('pims_bad_response', `IDEXX Neo has no ${path} (404)`, { status: 502, retryable: false });
        case 'fatal':
          this.emit({ ...base, outcome: 'failed', reason: verdict.error.message });
          this.counters.failures += 1;
          throw verdict.error;
        case 'expired': {
          this.emit({ ...base, outcome: 'expired', reason: verdict.reason });
          expiredLoops += 1;
          if (this.generation !== generation && expiredLoops <= MAX_EXPIRED_LOOPS) continue; // another call already logged in again
          if (relogged || expiredLoops > MAX_EXPIRED_LOOPS) {
            this.counters.failures += 1;
            throw new AppError('pims_unavailable', `IDEXX Neo ended the session again right after a new log-in (${path})`, {
              status: 503,
              retryable: true,
              details: { companyId: this.companyId, path },
            });
          }
          relogged = true;
          try {
            await this.relogin(generation, verdict.reason, opts.signal);
          } catch (err) {
            this.counters.failures += 1;
            throw err;
          }
          continue;
        }
        case 'transient': {
          transientFailures += 1;
          if (transientFailures > policy.retries) {
            this.emit({ ...base, outcome: 'failed', reason: verdict.reason });
            this.counters.failures += 1;
            this.log.warn({ companyId: this.companyId, path, attempts: attempt, reason: verdict.reason }, 'IDEXX Neo request failed; retry budget spent');
            throw new AppError('pims_unavailable', `IDEXX Neo did not answer ${path} after ${attempt} attempts (last: ${verdict.reason})`, {
              status: 503,
              retryable: true,
              details: { companyId: this.companyId, path, attempts: attempt, reason: verdict.reason },
            });
          }
          this.emit({ ...base, outcome: 'retry', reason: verdict.reason });
          const wait = backoffDelayMs(policy, transientFailures, verdict.retryAfterMs, this.config.random);
          this.log.debug({ companyId: this.companyId, path, attempt, waitMs: wait, reason: verdict.reason }, 'IDEXX Neo request failed; retrying');
          await sleep(wait, opts.signal);
          continue;
        }
      }
    }
  }
}
