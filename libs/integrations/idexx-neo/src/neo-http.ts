import type { BrowserContext } from 'playwright';
import { pimsBadResponse, pimsNotFound, pimsUnavailable } from '@pims/pims';
import { AppError, isAppError } from '@pims/util';
import { classifyResponse, classifyThrown, classifyWriteResponse, isLoginPath, looksLikeLoginPage, type RawResponse, type WriteVerdict } from './classify';
import type { SafeLogger } from './logger';
import type { NeoEndpoint, NeoRequestStats } from './neo-stats';
import { backoffDelayMs, raceAbort, sleep, throwIfAborted, type RetryPolicy } from './retry';

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

export function sessionClosedError(): AppError {
  return new AppError('pims_session_closed', 'The IDEXX Neo session has been closed', { status: 503, retryable: false });
}

/** What the JSON calls need of their session's log-in state. */
export interface NeoLoginState {
  /** Bumped by every successful log-in; a call that saw an expired session compares it. */
  generation(): number;
  /** The logged-in context; logs in again first when the context died. Throws when the session is closed. */
  liveContext(signal?: AbortSignal): Promise<BrowserContext>;
  /** The context died under a call (browser crash): the next call opens a new one. */
  markStale(): void;
  isClosed(): boolean;
  /** Logs in again after an expired session; concurrent callers share one log-in. */
  relogin(seenGeneration: number, reason: string, signal?: AbortSignal): Promise<void>;
  /** The session's CSRF token (read from a logged-in page's `<meta name="csrf-token">`), or null. */
  csrfToken(): string | null;
  /** Reads the CSRF token again from a logged-in page (logging in again when the session is gone). */
  refreshCsrf(signal?: AbortSignal): Promise<void>;
}

/** The body of a write: JSON, or a multipart form (what Neo's own forms post). */
export type WriteBody = { json: Record<string, unknown> } | { multipart: Record<string, string> };

export interface WriteOptions<T> {
  referer: string;
  signal?: AbortSignal;
  /**
   * Called before the write is sent again after an attempt whose outcome is unknown (5xx, 429,
   * timeout, network error, expired session): a value means "it was carried out after all" and ends
   * the call with it; null sends the write again. This is what makes a create exactly once.
   */
  beforeResend?: () => Promise<T | null>;
}

/** How a write ended: Neo's answer, or what beforeResend found (the write had gone through). */
export type WriteResult<T> = { kind: 'answered'; data: unknown } | { kind: 'found'; value: T };

export interface NeoHttpConfig {
  base: string;
  companyId: string | null;
  requestTimeoutMs: number;
  retry: RetryPolicy;
  random?: () => number;
  stats: NeoRequestStats;
  logger: SafeLogger;
  state: NeoLoginState;
}

const MAX_EXPIRED_LOOPS = 4;

type Verdict = WriteVerdict & { httpStatus: number | null };

interface RequestSpec {
  method: 'GET' | 'POST';
  referer: string;
  accept?: string;
  body?: WriteBody;
  csrfToken?: string;
}

/** Neo's JSON endpoints through the logged-in browser context, with retries and one re-log-in. */
export class NeoHttp {
  constructor(private readonly config: NeoHttpConfig) {}

  private async fetchOnce(url: string, spec: RequestSpec, classify: (res: RawResponse, what: string) => WriteVerdict, signal?: AbortSignal): Promise<Verdict> {
    const { state } = this.config;
    if (state.isClosed()) throw sessionClosedError();
    const context = await state.liveContext(signal);
    const headers: Record<string, string> = { Accept: spec.accept ?? 'application/json', 'X-Requested-With': 'XMLHttpRequest', Referer: spec.referer };
    if (spec.csrfToken !== undefined) headers['X-CSRF-Token'] = spec.csrfToken;
    try {
      const res = await raceAbort(
        context.request.fetch(url, {
          method: spec.method,
          headers,
          ...(spec.body && 'json' in spec.body ? { data: spec.body.json } : {}),
          ...(spec.body && 'multipart' in spec.body ? { multipart: spec.body.multipart } : {}),
          timeout: this.config.requestTimeoutMs,
          maxRedirects: 0,
          failOnStatusCode: false,
        }),
        signal,
      );
      try {
        const body = await res.text();
        const verdict = classify({ status: res.status(), headers: res.headers(), body }, url.slice(this.config.base.length).split('?')[0]);
        return { ...verdict, httpStatus: res.status() };
      } finally {
        await res.dispose().catch(() => undefined);
      }
    } catch (err) {
      if (isAppError(err)) throw err;
      if (state.isClosed()) throw sessionClosedError();
      const t = classifyThrown(err);
      if (t.kind === 'closed') {
        state.markStale();
        return { kind: 'transient', reason: 'browser context closed', status: 0, retryAfterMs: null, rateLimited: false, httpStatus: null };
      }
      return { kind: 'transient', reason: t.reason, status: 0, retryAfterMs: null, rateLimited: false, httpStatus: null };
    }
  }

  /**
   * GET a logged-in HTML page (for its CSRF token), retrying transient failures. Null when the session
   * is gone (a redirect to /login, 401, or the login page); pims_unavailable when Neo does not answer it.
   */
  async fetchPage(endpoint: NeoEndpoint, path: string, signal?: AbortSignal): Promise<string | null> {
    const { state, stats, retry: policy, companyId } = this.config;
    for (let attempt = 1; ; attempt += 1) {
      throwIfAborted(signal);
      const context = await state.liveContext(signal);
      const started = Date.now();
      let status: number | null = null;
      let reason: string;
      try {
        const res = await raceAbort(
          context.request.get(`${this.config.base}${path}`, {
            headers: { Accept: 'text/html,application/xhtml+xml', Referer: `${this.config.base}/dashboard` },
            timeout: this.config.requestTimeoutMs,
            maxRedirects: 0,
            failOnStatusCode: false,
          }),
          signal,
        );
        try {
          status = res.status();
          const body = await res.text();
          const location = res.headers().location ?? '';
          const base = { endpoint, path, status, attempt, durationMs: Date.now() - started };
          if ((status >= 300 && status < 400 && (location === '' || isLoginPath(location))) || status === 401 || looksLikeLoginPage(body)) {
            stats.emit({ ...base, outcome: 'expired', reason: 'no session' });
            return null;
          }
          if (status >= 200 && status < 300) {
            stats.emit({ ...base, outcome: 'ok' });
            return body;
          }
          if (!(status >= 500 || status === 429 || status === 408)) {
            stats.emit({ ...base, outcome: 'failed', reason: `status ${status}` });
            stats.failure();
            throw pimsBadResponse(`IDEXX Neo answered ${path} with ${status}`);
          }
          reason = `status ${status}`;
        } finally {
          await res.dispose().catch(() => undefined);
        }
      } catch (err) {
        if (isAppError(err)) throw err;
        if (state.isClosed()) throw sessionClosedError();
        const t = classifyThrown(err);
        if (t.kind === 'closed') state.markStale();
        reason = t.kind === 'closed' ? 'browser context closed' : t.reason;
      }
      const base = { endpoint, path, status, attempt, durationMs: Date.now() - started, reason };
      if (attempt > policy.retries) {
        stats.emit({ ...base, outcome: 'failed' });
        stats.failure();
        throw pimsUnavailable(`IDEXX Neo did not answer ${path} after ${attempt} attempts (last: ${reason})`, { details: { companyId, path, attempts: attempt, reason } });
      }
      stats.emit({ ...base, outcome: 'retry' });
      await sleep(backoffDelayMs(policy, attempt, null, this.config.random), signal);
    }
  }

  /**
   * GET a Neo JSON endpoint through the logged-in context. Retries transient failures with backoff,
   * logs in again once when the session expired, and throws pims_unavailable when the budget is spent.
   * Returns null for a 404 when allowNotFound.
   */
  async requestJson(endpoint: NeoEndpoint, pathAndQuery: string, opts: { referer: string; signal?: AbortSignal; allowNotFound?: boolean }): Promise<unknown> {
    const { retry: policy, stats, state, companyId } = this.config;
    const url = `${this.config.base}${pathAndQuery}`;
    const path = pathAndQuery.split('?')[0];
    let attempt = 0;
    let transientFailures = 0;
    let relogged = false;
    let expiredLoops = 0;
    for (;;) {
      throwIfAborted(opts.signal);
      attempt += 1;
      const generation = state.generation();
      const started = Date.now();
      let verdict: Verdict;
      try {
        verdict = await this.fetchOnce(url, { method: 'GET', referer: opts.referer }, classifyResponse, opts.signal);
      } catch (err) {
        stats.failure();
        throw err;
      }
      const base = { endpoint, path, status: verdict.httpStatus, attempt, durationMs: Date.now() - started };
      switch (verdict.kind) {
        case 'ok':
          stats.emit({ ...base, outcome: 'ok' });
          return verdict.data;
        case 'not_found':
          stats.emit({ ...base, outcome: 'not_found' });
          if (opts.allowNotFound) return null;
          stats.failure();
          throw pimsBadResponse(`IDEXX Neo has no ${path} (404)`);
        case 'fatal':
        case 'csrf': {
          const error = verdict.kind === 'fatal' ? verdict.error : pimsBadResponse(`IDEXX Neo refused ${path} (${verdict.reason})`);
          stats.emit({ ...base, outcome: 'failed', reason: error.message });
          stats.failure();
          throw error;
        }
        case 'expired': {
          stats.emit({ ...base, outcome: 'expired', reason: verdict.reason });
          expiredLoops += 1;
          if (state.generation() !== generation && expiredLoops <= MAX_EXPIRED_LOOPS) continue; // another call already logged in again
          if (relogged || expiredLoops > MAX_EXPIRED_LOOPS) {
            stats.failure();
            throw pimsUnavailable(`IDEXX Neo ended the session again right after a new log-in (${path})`, { details: { companyId, path } });
          }
          relogged = true;
          try {
            await state.relogin(generation, verdict.reason, opts.signal);
          } catch (err) {
            stats.failure();
            throw err;
          }
          continue;
        }
        case 'transient': {
          transientFailures += 1;
          if (transientFailures > policy.retries) {
            stats.emit({ ...base, outcome: 'failed', reason: verdict.reason });
            stats.failure();
            this.config.logger.warn({ companyId, path, attempts: attempt, reason: verdict.reason }, 'IDEXX Neo request failed; retry budget spent');
            throw pimsUnavailable(`IDEXX Neo did not answer ${path} after ${attempt} attempts (last: ${verdict.reason})`, {
              details: { companyId, path, attempts: attempt, reason: verdict.reason },
            });
          }
          stats.emit({ ...base, outcome: 'retry', reason: verdict.reason });
          const wait = backoffDelayMs(policy, transientFailures, verdict.retryAfterMs, this.config.random);
          this.config.logger.debug({ companyId, path, attempt, waitMs: wait, reason: verdict.reason }, 'IDEXX Neo request failed; retrying');
          await sleep(wait, opts.signal);
          continue;
        }
      }
    }
  }

  /**
   * POST a Neo write through the logged-in context with X-Requested-With and the session's CSRF
   * token. A refused token is read again from a logged-in page and the write sent once more; an
   * expired session logs in again once (which reads a new token); transient failures are retried with
   * backoff, and before every re-send `beforeResend` may find that the write went through after all.
   * Refusals: pims_not_found (404, or "not found"), pims_conflict (409), pims_bad_response (other 4xx,
   * `success: false`); pims_unavailable when the budget is spent.
   */
  async requestWrite<T>(endpoint: NeoEndpoint, path: string, body: WriteBody, opts: WriteOptions<T>): Promise<WriteResult<T>> {
    const { retry: policy, stats, state, companyId } = this.config;
    const url = `${this.config.base}${path}`;
    let attempt = 0;
    let transientFailures = 0;
    let relogged = false;
    let csrfRefreshed = false;
    let expiredLoops = 0;
    let uncertain = false;
    const fail = (err: unknown): never => {
      stats.failure();
      throw err;
    };
    for (;;) {
      throwIfAborted(opts.signal);
      if (uncertain && opts.beforeResend) {
        let found: T | null;
        try {
          found = await opts.beforeResend();
        } catch (err) {
          return fail(err);
        }
        if (found !== null) {
          this.config.logger.info({ companyId, path, attempts: attempt }, 'IDEXX Neo write had gone through; not sending it again');
          return { kind: 'found', value: found };
        }
      }
      attempt += 1;
      const generation = state.generation();
      let token = state.csrfToken();
      if (token === null) {
        try {
          await state.refreshCsrf(opts.signal);
        } catch (err) {
          return fail(err);
        }
        token = state.csrfToken();
        if (token === null) return fail(pimsBadResponse('IDEXX Neo shows no CSRF token (<meta name="csrf-token">) on its logged-in pages'));
      }
      const started = Date.now();
      let verdict: Verdict;
      try {
        verdict = await this.fetchOnce(url, { method: 'POST', referer: opts.referer, body, csrfToken: token }, classifyWriteResponse, opts.signal);
      } catch (err) {
        return fail(err);
      }
      const base = { endpoint, path: path.split('?')[0], status: verdict.httpStatus, attempt, durationMs: Date.now() - started };
      switch (verdict.kind) {
        case 'ok':
          stats.emit({ ...base, outcome: 'ok' });
          return { kind: 'answered', data: verdict.data };
        case 'not_found':
          stats.emit({ ...base, outcome: 'not_found' });
          return fail(pimsNotFound(`IDEXX Neo has no such record for ${base.path}`));
        case 'fatal':
          stats.emit({ ...base, outcome: verdict.error.code === 'pims_not_found' ? 'not_found' : 'failed', reason: verdict.error.message });
          return fail(verdict.error);
        case 'csrf': {
          stats.emit({ ...base, outcome: 'csrf', reason: verdict.reason });
          if (csrfRefreshed) return fail(pimsBadResponse(`IDEXX Neo refused the CSRF token of ${base.path} again after it was read anew (${verdict.reason})`));
          csrfRefreshed = true;
          try {
            await state.refreshCsrf(opts.signal);
          } catch (err) {
            return fail(err);
          }
          continue; // refused before it was carried out: no look-up needed, but a look-up is harmless
        }
        case 'expired': {
          stats.emit({ ...base, outcome: 'expired', reason: verdict.reason });
          uncertain = true;
          expiredLoops += 1;
          if (state.generation() !== generation && expiredLoops <= MAX_EXPIRED_LOOPS) continue;
          if (relogged || expiredLoops > MAX_EXPIRED_LOOPS) {
            return fail(pimsUnavailable(`IDEXX Neo ended the session again right after a new log-in (${base.path})`, { details: { companyId, path: base.path } }));
          }
          relogged = true;
          try {
            await state.relogin(generation, verdict.reason, opts.signal);
          } catch (err) {
            return fail(err);
          }
          continue;
        }
        case 'transient': {
          uncertain = true;
          transientFailures += 1;
          if (transientFailures > policy.retries) {
            stats.emit({ ...base, outcome: 'failed', reason: verdict.reason });
            this.config.logger.warn({ companyId, path: base.path, attempts: attempt, reason: verdict.reason }, 'IDEXX Neo write failed; retry budget spent');
            return fail(
              pimsUnavailable(`IDEXX Neo did not answer ${base.path} after ${attempt} attempts (last: ${verdict.reason}); the write may or may not have been carried out`, {
                details: { companyId, path: base.path, attempts: attempt, reason: verdict.reason },
              }),
            );
          }
          stats.emit({ ...base, outcome: 'retry', reason: verdict.reason });
          const wait = backoffDelayMs(policy, transientFailures, verdict.retryAfterMs, this.config.random);
          this.config.logger.debug({ companyId, path: base.path, attempt, waitMs: wait, reason: verdict.reason }, 'IDEXX Neo write failed; retrying');
          await sleep(wait, opts.signal);
          continue;
        }
      }
    }
  }
}
