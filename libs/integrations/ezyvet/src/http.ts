import { pimsAuthFailed, pimsBadResponse, pimsConflict, pimsNotFound, pimsUnavailable, type PimsRequestObserver, type PimsRequestOutcome } from '@pims/pims';
import { isAppError, redactSecrets } from '@pims/util';
import type { SafeLogger } from './logger';
import type { RateLimiter } from './rate-limit';
import { abortError, backoffDelayMs, serverWaitMs, sleep, throwIfAborted, type RetryPolicy } from './retry';
import { errorText, readListPage, readSingle } from './wire';

/** A query string's values: strings, numbers, or objects and arrays (sent as ezyVet's JSON filters). */
export type Query = Record<string, string | number | boolean | object | null | undefined>;

/** ezyVet's query string: plain values as they are, filters as JSON (docs/ezyvet-wire.md section 3). */
export function encodeQuery(query: Query): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue;
    p.set(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  const s = p.toString();
  return s === '' ? '' : `?${s}`;
}

export interface TokenSource {
  /** A bearer token for these credentials (cached, fetched when there is none or it is about to end). */
  get(signal?: AbortSignal): Promise<string>;
  /** The server refused `token`: forget it (unless a newer one is already there). */
  invalidate(token: string): void;
}

export interface HttpConfig {
  base: string;
  /** The clinic's key for the rate limiter (baseUrl+partnerId+clientId). */
  clinicKey: string;
  tokens: TokenSource;
  limiter: RateLimiter;
  retry: RetryPolicy;
  requestTimeoutMs: number;
  logger: SafeLogger;
  observer?: PimsRequestObserver;
  secrets: () => readonly string[];
  random?: () => number;
}

type Verdict =
  | { kind: 'ok'; body: unknown }
  | { kind: 'not_found'; text: string | null }
  | { kind: 'unauthorized'; text: string | null }
  | { kind: 'forbidden'; text: string | null }
  | { kind: 'conflict'; text: string | null }
  | { kind: 'refused'; status: number; text: string | null }
  | { kind: 'rate_limited'; waitMs: number | null }
  /** 5xx, 408, a network failure or a timeout: the request may or may not have been carried out. */
  | { kind: 'transient'; reason: string; sent: boolean };

export interface WriteOptions<T> {
  signal?: AbortSignal;
  /** After an answer was lost: finds what the earlier attempt did (non-null: do not send again). */
  beforeResend?: () => Promise<T | null>;
}

export type WriteResult<T> = { kind: 'answered'; body: unknown } | { kind: 'found'; value: T };

const OUTCOME: Record<Verdict['kind'], PimsRequestOutcome> = {
  ok: 'ok',
  not_found: 'not_found',
  unauthorized: 'auth_failed',
  forbidden: 'auth_failed',
  conflict: 'error',
  refused: 'error',
  rate_limited: 'rate_limited',
  transient: 'error',
};

/** HTTP to one clinic's ezyVet: bearer token, rate limit, retries, typed errors (docs/ezyvet-wire.md 9). */
export class EzyvetHttp {
  constructor(private readonly config: HttpConfig) {}

  get base(): string {
    return this.config.base;
  }

  /** The text without the client secret or a bearer token (ezyVet's own words may quote them). */
  private clean(text: string, token?: string): string {
    return redactSecrets(text, token ? [...this.config.secrets(), token] : this.config.secrets());
  }

  private observe(endpoint: string, outcome: PimsRequestOutcome, durationMs: number): void {
    try {
      this.config.observer?.({ provider: 'ezyvet', endpoint, outcome, durationMs });
    } catch {
      // An observer must never break a sync.
    }
  }

  /** One exchange: a rate-limit token, the bearer token, the request, its verdict. */
  private async once(endpoint: string, method: string, path: string, body: unknown, signal: AbortSignal | undefined): Promise<{ verdict: Verdict; token: string }> {
    await this.config.limiter.acquire(this.config.clinicKey, endpoint, signal);
    const token = await this.config.tokens.get(signal);
    const started = Date.now();
    const timeout = AbortSignal.timeout(this.config.requestTimeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let verdict: Verdict;
    try {
      const res = await fetch(`${this.config.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: combined,
      });
      verdict = await classify(res);
    } catch (err) {
      if (signal?.aborted) throw abortError(signal);
      const timedOut = timeout.aborted;
      verdict = { kind: 'transient', reason: timedOut ? `no answer within ${this.config.requestTimeoutMs} ms` : `network error (${errName(err)})`, sent: true };
    }
    this.observe(endpoint, OUTCOME[verdict.kind], Date.now() - started);
    if (verdict.kind === 'rate_limited') {
      const wait = verdict.waitMs ?? backoffDelayMs(this.config.retry, 1, null, this.config.random);
      this.config.limiter.pause(this.config.clinicKey, endpoint, Math.min(wait, this.config.retry.maxRetryAfterMs));
    }
    return { verdict, token };
  }

  /**
   * Sends until an answer that is not transient: 429/5xx/network errors are retried with backoff,
   * a 401 gets a new token once. `beforeResend` runs before a resend that follows a possibly lost
   * answer (writes).
   */
  private async exchange<T>(
    endpoint: string,
    method: string,
    path: string,
    body: unknown,
    opts: WriteOptions<T> & { allowNotFound?: boolean },
  ): Promise<{ kind: 'answered'; body: unknown } | { kind: 'not_found' } | { kind: 'found'; value: T }> {
    const { retry } = this.config;
    let transient = 0;
    let reauthorized = false;
    let uncertain = false;
    const what = `${method} ${path.split('?')[0]}`;
    for (;;) {
      throwIfAborted(opts.signal);
      if (uncertain && opts.beforeResend) {
        const found = await opts.beforeResend();
        if (found !== null) {
          this.config.logger.info({ endpoint, attempts: transient + 1 }, 'ezyVet write had gone through; not sending it again');
          return { kind: 'found', value: found };
        }
        uncertain = false;
      }
      const { verdict, token } = await this.once(endpoint, method, path, body, opts.signal);
      const clean = (text: string) => this.clean(text, token);
      switch (verdict.kind) {
        case 'ok':
          return { kind: 'answered', body: verdict.body };
        case 'not_found':
          if (opts.allowNotFound) return { kind: 'not_found' };
          throw pimsNotFound(clean(`ezyVet has no such record (${what})${verdict.text ? `: ${verdict.text}` : ''}`));
        case 'unauthorized':
          this.config.tokens.invalidate(token);
          if (reauthorized) throw pimsAuthFailed(clean(`ezyVet refused the access token again after a new one (${what})${verdict.text ? `: ${verdict.text}` : ''}`));
          reauthorized = true;
          continue;
        case 'forbidden':
          throw pimsAuthFailed(clean(`ezyVet refused ${what} for these credentials${verdict.text ? `: ${verdict.text}` : ''}`));
        case 'conflict':
          throw pimsConflict(clean(`ezyVet refused ${what}${verdict.text ? `: ${verdict.text}` : ''}`));
        case 'refused':
          throw pimsBadResponse(clean(`ezyVet refused ${what} (HTTP ${verdict.status})${verdict.text ? `: ${verdict.text}` : ''}`), {
            details: { status: verdict.status },
          });
        case 'rate_limited':
        case 'transient': {
          transient += 1;
          if (verdict.kind === 'transient' && verdict.sent && method !== 'GET') uncertain = true;
          const reason = verdict.kind === 'rate_limited' ? 'rate limited (429)' : verdict.reason;
          if (transient > retry.retries) {
            throw pimsUnavailable(clean(`ezyVet did not answer ${what} after ${transient} attempts: ${reason}`), { details: { attempts: transient } });
          }
          // A 429 paused the endpoint's bucket for the server's wait: the next token comes after it.
          const wait = verdict.kind === 'rate_limited' ? 0 : backoffDelayMs(retry, transient, null, this.config.random);
          this.config.logger.debug({ endpoint, attempt: transient, waitMs: wait }, `ezyVet ${reason}; retrying`);
          await sleep(wait, opts.signal);
          continue;
        }
      }
    }
  }

  /** A GET answered with JSON; null for a 404 when `allowNotFound`. */
  async get(endpoint: string, path: string, query: Query, opts: { signal?: AbortSignal; allowNotFound?: boolean } = {}): Promise<unknown> {
    const r = await this.exchange<never>(endpoint, 'GET', `${path}${encodeQuery(query)}`, undefined, opts);
    return r.kind === 'answered' ? r.body : null;
  }

  /**
   * Every record of a list, following the paging envelope (`limit` = pageSize, pages 1..items_page_total).
   * `timestamp` is the server time of the first page (meta.timestamp), null when it gave none.
   */
  async list(endpoint: string, resource: string, path: string, query: Query, signal?: AbortSignal, pageSize = 200): Promise<{ records: unknown[]; timestamp: number | null; requests: number }> {
    const records: unknown[] = [];
    let timestamp: number | null = null;
    let pageTotal = 1;
    let requests = 0;
    for (let page = 1; page <= pageTotal; page += 1) {
      const body = await this.get(endpoint, path, { ...query, limit: pageSize, page }, { signal });
      requests += 1;
      const p = readListPage(body, resource);
      if (page === 1) {
        timestamp = p.timestamp;
        pageTotal = Math.min(p.pageTotal, 10_000);
      }
      records.push(...p.records);
    }
    return { records, timestamp, requests };
  }

  /** A POST or PATCH; exactly once under lost answers when `beforeResend` is given. */
  async write<T>(endpoint: string, method: 'POST' | 'PATCH', path: string, body: unknown, opts: WriteOptions<T> = {}): Promise<WriteResult<T>> {
    const r = await this.exchange<T>(endpoint, method, path, body, opts);
    if (r.kind === 'not_found') throw pimsNotFound(`ezyVet has no such record (${method} ${path})`);
    return r;
  }

  /** The record a create/update answered with. */
  static single(body: unknown, resource: string): unknown {
    return readSingle(body, resource);
  }
}

async function classify(res: Response): Promise<Verdict> {
  const text = await res.text().catch(() => '');
  let body: unknown = null;
  let parsed = false;
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
      parsed = true;
    } catch {
      parsed = false;
    }
  }
  const msg = parsed ? errorText(body) : null;
  const s = res.status;
  if (s >= 200 && s < 300) {
    if (!parsed) return { kind: 'refused', status: s, text: 'the answer is not JSON' };
    return { kind: 'ok', body };
  }
  if (s === 429) return { kind: 'rate_limited', waitMs: serverWaitMs(res.headers) };
  if (s === 401) return { kind: 'unauthorized', text: msg };
  if (s === 403) return { kind: 'forbidden', text: msg };
  if (s === 404) return { kind: 'not_found', text: msg };
  if (s === 409) return { kind: 'conflict', text: msg };
  if (s === 408 || s >= 500) return { kind: 'transient', reason: `HTTP ${s}${msg ? ` (${msg})` : ''}`, sent: true };
  return { kind: 'refused', status: s, text: msg };
}

function errName(err: unknown): string {
  if (isAppError(err)) return err.code;
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: { code?: unknown } }).cause;
    return typeof cause?.code === 'string' ? cause.code : err.name;
  }
  return 'unknown';
}

