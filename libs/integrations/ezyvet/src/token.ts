import { createHash } from 'node:crypto';
import { pimsAuthFailed, pimsBadResponse, pimsUnavailable, type EzyvetCredentials, type PimsRequestObserver } from '@pims/pims';
import { redactSecrets } from '@pims/util';
import type { SafeLogger } from './logger';
import type { RateLimiter } from './rate-limit';
import { abortError, backoffDelayMs, serverWaitMs, sleep, throwIfAborted, type RetryPolicy } from './retry';
import { errorText } from './wire';
import type { TokenSource } from './http';

/** The scopes the provider asks for (docs/ezyvet-wire.md section 2). */
export const SCOPES = [
  'read-appointment',
  'read-appointmentstatus',
  'read-appointmenttype',
  'read-resource',
  'read-consult',
  'read-assessment',
  'read-plan',
  'read-presentingproblem',
  'read-presentingproblemlink',
  'read-invoiceline',
  'read-animal',
  'read-contact',
  'read-contactdetail',
  'read-contactdetailtype',
  'read-species',
  'read-breed',
  'write-contact',
  'write-contactdetail',
  'write-animal',
  'write-appointment',
  'create-booking',
].join(',');

/** Ask for a new token this long before the old one runs out. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

export function baseUrlOf(raw: string): string {
  return raw.trim().replace(/\/+$/, '');
}

/** The clinic a cache and the rate limiter are keyed by: baseUrl + partnerId + clientId. */
export function clinicKeyOf(c: EzyvetCredentials): string {
  return JSON.stringify([baseUrlOf(c.baseUrl), c.partnerId, c.clientId]);
}

/** The token cache key: the clinic and a hash of the secret (a changed secret is another token). */
export function tokenKeyOf(c: EzyvetCredentials): string {
  const digest = createHash('sha256').update(c.clientSecret).digest('hex').slice(0, 32);
  return `${clinicKeyOf(c)}\u0000${digest}`;
}

/** `expires_in` as an instant: seconds from now, or (above 10^9) an epoch time (docs/ezyvet-wire.md section 2). */
export function expiryOf(expiresIn: unknown, now: number): number {
  const n = typeof expiresIn === 'number' ? expiresIn : typeof expiresIn === 'string' && /^\d+$/.test(expiresIn.trim()) ? Number(expiresIn) : NaN;
  if (!Number.isFinite(n) || n <= 0) return now + 12 * 3600_000;
  return n >= 1e9 ? n * 1000 : now + n * 1000;
}

interface Entry {
  token: string | null;
  expiresAt: number;
  /** Refresh this long before expiresAt: REFRESH_MARGIN_MS, or a tenth of a short lifetime. */
  marginMs: number;
  inflight: Promise<string> | null;
}

export interface TokenStoreConfig {
  limiter: RateLimiter;
  retry: RetryPolicy;
  requestTimeoutMs: number;
  logger: SafeLogger;
  observer?: PimsRequestObserver;
  random?: () => number;
  now?: () => number;
}

/**
 * Bearer tokens per credentials, shared by every session of one provider: one request at a time per
 * credentials, a token asked for again REFRESH_MARGIN_MS before it ends or after the server refused it.
 */
export class TokenStore {
  private readonly entries = new Map<string, Entry>();
  /** Tokens issued (for tests and metrics). */
  issued = 0;

  constructor(private readonly config: TokenStoreConfig) {}

  private now(): number {
    return this.config.now?.() ?? Date.now();
  }

  /** The bearer tokens held now (to keep them out of logs and messages). */
  current(): string[] {
    const out: string[] = [];
    for (const e of this.entries.values()) if (e.token !== null) out.push(e.token);
    return out;
  }

  /** The token source of one set of credentials. */
  source(credentials: EzyvetCredentials): TokenSource {
    const key = tokenKeyOf(credentials);
    return {
      get: (signal?: AbortSignal) => this.get(key, credentials, signal),
      invalidate: (token: string) => {
        const e = this.entries.get(key);
        if (e && e.token === token) {
          e.token = null;
          e.expiresAt = 0;
        }
      },
    };
  }

  private async get(key: string, c: EzyvetCredentials, signal?: AbortSignal): Promise<string> {
    let e = this.entries.get(key);
    if (!e) {
      e = { token: null, expiresAt: 0, marginMs: REFRESH_MARGIN_MS, inflight: null };
      if (this.entries.size > 1000) this.entries.clear();
      this.entries.set(key, e);
    }
    if (e.token !== null && this.now() < e.expiresAt - e.marginMs) return e.token;
    const entry = e;
    entry.inflight ??= this.fetchToken(c)
      .then((t) => {
        entry.token = t.token;
        entry.expiresAt = t.expiresAt;
        entry.marginMs = Math.min(REFRESH_MARGIN_MS, Math.max(0, (t.expiresAt - this.now()) / 10));
        return t.token;
      })
      .finally(() => {
        entry.inflight = null;
      });
    return raceSignal(entry.inflight, signal);
  }

  /** POST /v1/oauth/access_token, with retries for transient failures. */
  private async fetchToken(c: EzyvetCredentials): Promise<{ token: string; expiresAt: number }> {
    const base = baseUrlOf(c.baseUrl);
    const clinic = clinicKeyOf(c);
    const secrets = [c.clientSecret, encodeURIComponent(c.clientSecret)];
    const clean = (s: string) => redactSecrets(s, secrets);
    const { retry } = this.config;
    for (let attempt = 1; ; attempt += 1) {
      await this.config.limiter.acquire(clinic, 'oauth');
      const started = Date.now();
      let status = 0;
      let body: unknown = null;
      let headers: Headers | null = null;
      let failure: string | null = null;
      try {
        const res = await fetch(`${base}/v1/oauth/access_token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ partner_id: c.partnerId, client_id: c.clientId, client_secret: c.clientSecret, grant_type: 'client_credentials', scope: SCOPES }),
          signal: AbortSignal.timeout(this.config.requestTimeoutMs),
        });
        status = res.status;
        headers = res.headers;
        const text = await res.text();
        try {
          body = text.trim() === '' ? null : JSON.parse(text);
        } catch {
          body = null;
        }
      } catch (err) {
        failure = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${this.config.requestTimeoutMs} ms` : 'network error';
      }
      const outcome = failure ? 'error' : status === 200 ? 'ok' : status === 429 ? 'rate_limited' : status === 400 || status === 401 || status === 403 ? 'auth_failed' : 'error';
      try {
        this.config.observer?.({ provider: 'ezyvet', endpoint: 'oauth', outcome, durationMs: Date.now() - started });
      } catch {
        // An observer must never break a sync.
      }
      if (!failure && status === 200) {
        const rec = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
        const token = typeof rec.access_token === 'string' && rec.access_token !== '' ? rec.access_token : null;
        if (!token) throw pimsBadResponse('ezyVet answered the token request without an access_token');
        this.issued += 1;
        return { token, expiresAt: expiryOf(rec.expires_in, this.now()) };
      }
      if (!failure && (status === 400 || status === 401 || status === 403)) {
        const text = errorText(body);
        throw pimsAuthFailed(clean(`ezyVet refused the API credentials (HTTP ${status})${text ? `: ${text}` : ''}`));
      }
      const transient = failure !== null || status === 429 || status === 408 || status >= 500;
      if (!transient) throw pimsBadResponse(clean(`ezyVet answered the token request with HTTP ${status}`));
      const reason = failure ?? `HTTP ${status}`;
      if (attempt > retry.retries) throw pimsUnavailable(clean(`ezyVet did not issue an access token after ${attempt} attempts: ${reason}`));
      const server = status === 429 && headers ? serverWaitMs(headers) : null;
      const wait = backoffDelayMs(retry, attempt, server, this.config.random);
      if (status === 429) this.config.limiter.pause(clinic, 'oauth', wait);
      this.config.logger.debug({ attempt, waitMs: wait }, `ezyVet token request failed (${reason}); retrying`);
      await sleep(status === 429 ? 0 : wait);
    }
  }
}

/** The promise, or the abort error when the caller's signal aborts first (the shared request goes on). */
function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  throwIfAborted(signal);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
