import type { BrowserContext } from 'playwright';
import { pimsBadResponse, pimsUnavailable } from '@pims/pims';
import { AppError, isAppError } from '@pims/util';
import { classifyResponse, classifyThrown, type ResponseVerdict } from './classify';
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
}

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

type Verdict = ResponseVerdict & { httpStatus: number | null };

/** Neo's JSON endpoints through the logged-in browser context, with retries and one re-log-in. */
export class NeoHttp {
  constructor(private readonly config: NeoHttpConfig) {}

  private async fetchOnce(url: string, referer: string, signal?: AbortSignal): Promise<Verdict> {
    const { state } = this.config;
    if (state.isClosed()) throw sessionClosedError();
    const context = await state.liveContext(signal);
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
        const verdict = classifyResponse({ status: res.status(), headers: res.headers(), body }, url.slice(this.config.base.length).split('?')[0]);
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
        verdict = await this.fetchOnce(url, opts.referer, opts.signal);
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
          stats.emit({ ...base, outcome: 'failed', reason: verdict.error.message });
          stats.failure();
          throw verdict.error;
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
}
