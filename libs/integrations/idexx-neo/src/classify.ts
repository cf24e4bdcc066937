import { pimsBadResponse, pimsConflict, pimsNotFound } from '@pims/pims';
import { AppError, truncate } from '@pims/util';
import { parseRetryAfter } from './retry';

/** What one HTTP answer to a JSON call means for the client. */
export type ResponseVerdict =
  | { kind: 'ok'; data: unknown }
  | { kind: 'not_found' }
  /** The session is gone (redirect to /login, login page where JSON was expected, 401): log in again once. */
  | { kind: 'expired'; reason: string }
  /** Worth another attempt after a wait (5xx, 429, 408). */
  | { kind: 'transient'; reason: string; status: number; retryAfterMs: number | null; rateLimited: boolean }
  /** Will not get better by retrying. */
  | { kind: 'fatal'; error: AppError };

export interface RawResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

const LOGIN_PATH = /(?:^|\/)login(?:\/|$)/i;

/** True when the path (or URL) is Neo's login page, including /login/mfa. */
export function isLoginPath(pathOrUrl: string): boolean {
  let path = pathOrUrl;
  try {
    path = new URL(pathOrUrl, 'http://x').pathname;
  } catch {
    // keep as given
  }
  return LOGIN_PATH.test(path);
}

/** An HTML body that is Neo's login page (what an expired session gets instead of JSON). */
export function looksLikeLoginPage(body: string): boolean {
  if (!/<(html|form|input|body|!doctype)/i.test(body)) return false;
  return /csrf_neo_token/i.test(body) || /<input[^>]*type\s*=\s*["']?password/i.test(body) || /<input[^>]*name\s*=\s*["']?password["'\s>]/i.test(body);
}

function tryParseJson(body: string): { ok: true; value: unknown } | { ok: false } {
  const t = body.trim();
  if (t === '' || !(t.startsWith('{') || t.startsWith('['))) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(t) as unknown };
  } catch {
    return { ok: false };
  }
}

/** A short, safe description of a server's error body (its JSON `error`/`message`, else nothing). */
function serverMessage(body: string): string {
  const parsed = tryParseJson(body);
  if (parsed.ok && parsed.value && typeof parsed.value === 'object') {
    const v = parsed.value as Record<string, unknown>;
    const m = v.error ?? v.message;
    if (typeof m === 'string') return `: ${truncate(m, 200)}`;
    if (m && typeof m === 'object' && typeof (m as Record<string, unknown>).message === 'string') {
      return `: ${truncate((m as Record<string, string>).message, 200)}`;
    }
  }
  return '';
}

export function classifyResponse(res: RawResponse, what: string): ResponseVerdict {
  const { status, headers, body } = res;
  if (status >= 300 && status < 400) {
    const location = headers.location ?? '';
    if (location === '' || isLoginPath(location)) return { kind: 'expired', reason: `redirect to ${location || 'nowhere'}` };
    return {
      kind: 'fatal',
      error: new AppError('pims_bad_response', `IDEXX Neo answered ${what} with an unexpected redirect (${status})`, { status: 502, retryable: false }),
    };
  }
  if (status === 401 || status === 419 || status === 440) return { kind: 'expired', reason: `status ${status}` };
  if (status === 429 || status === 408 || status === 425 || status >= 500) {
    return {
      kind: 'transient',
      reason: `status ${status}`,
      status,
      retryAfterMs: parseRetryAfter(headers['retry-after']),
      rateLimited: status === 429,
    };
  }
  if (status === 404) return { kind: 'not_found' };
  if (status >= 400) {
    if (looksLikeLoginPage(body)) return { kind: 'expired', reason: `status ${status} with the login page` };
    return {
      kind: 'fatal',
      error: new AppError('pims_bad_response', `IDEXX Neo refused ${what} (${status}${serverMessage(body)})`, { status: 502, retryable: false }),
    };
  }
  const parsed = tryParseJson(body);
  if (parsed.ok) return { kind: 'ok', data: parsed.value };
  if (looksLikeLoginPage(body)) return { kind: 'expired', reason: 'login page instead of JSON' };
  return {
    kind: 'fatal',
    error: new AppError('pims_bad_response', `IDEXX Neo answered ${what} with something that is not JSON (status ${status})`, { status: 502, retryable: false }),
  };
}

/** What a thrown error (no HTTP answer) means: the session was closed, or a transient network failure. */
export function classifyThrown(err: unknown): { kind: 'closed' } | { kind: 'transient'; reason: string; timeout: boolean } {
  const message = err instanceof Error ? err.message : String(err);
  if (/has been closed|Target closed|browser has disconnected|context or browser has been closed/i.test(message)) return { kind: 'closed' };
  const timeout = /timeout|timed out|ETIMEDOUT/i.test(message);
  const first = message.split('\n')[0] ?? '';
  const code = /\b(E[A-Z]{3,}|net::ERR_[A-Z_]+)\b/.exec(message)?.[1];
  return { kind: 'transient', reason: timeout ? 'timeout' : (code ?? truncate(first, 120)), timeout };
}

// ---------------------------------------------------------------------------------------------
// Writes

/** What one answer to a write means: a read's verdicts, or a refused CSRF token (read it again, send once more). */
export type WriteVerdict = ResponseVerdict | { kind: 'csrf'; reason: string };

/** The reason a write was refused, from its JSON body: `error`, `message` and the `errors` per field. */
export function refusalMessage(body: string): string {
  const parsed = tryParseJson(body);
  if (!parsed.ok || !parsed.value || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) return '';
  const v = parsed.value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of ['error', 'message']) if (typeof v[key] === 'string' && v[key] !== '') parts.push(v[key]);
  if (v.errors && typeof v.errors === 'object' && !Array.isArray(v.errors)) {
    for (const [field, msgs] of Object.entries(v.errors as Record<string, unknown>)) {
      const list = Array.isArray(msgs) ? msgs.filter((m) => typeof m === 'string') : typeof msgs === 'string' ? [msgs] : [];
      if (list.length) parts.push(`${field}: ${list.join(', ')}`);
    }
  }
  return truncate(parts.join('; '), 300);
}

const CSRF_WORDS = /csrf|xsrf|authenticity\s*token/i;

/**
 * Classifies the answer to a write (POST). As for reads, plus: a 403/422 naming the CSRF token is
 * `csrf`; 404 is pims_not_found; 409 pims_conflict; another 4xx, or a 200 saying `success: false`, is
 * a refusal of the data (pims_bad_response, or pims_not_found when it says a record was not found).
 */
export function classifyWriteResponse(res: RawResponse, what: string): WriteVerdict {
  const { status, body } = res;
  if ((status === 403 || status === 422) && CSRF_WORDS.test(body) && !looksLikeLoginPage(body)) {
    return { kind: 'csrf', reason: `status ${status}${serverMessage(body)}` };
  }
  const refusal = (message: string) =>
    /not found/i.test(message)
      ? pimsNotFound(`IDEXX Neo refused ${what}: ${message}`)
      : pimsBadResponse(`IDEXX Neo refused ${what}${message ? `: ${message}` : ''} (${status})`);
  if (status === 404) return { kind: 'fatal', error: pimsNotFound(`IDEXX Neo has no such record for ${what}${serverMessage(body)}`) };
  if (status === 409) return { kind: 'fatal', error: pimsConflict(`IDEXX Neo refused ${what}${serverMessage(body)}`) };
  const verdict = classifyResponse(res, what);
  if (verdict.kind === 'fatal' && status >= 400 && status < 500) return { kind: 'fatal', error: refusal(refusalMessage(body)) };
  if (verdict.kind === 'ok' && verdict.data && typeof verdict.data === 'object' && !Array.isArray(verdict.data)) {
    if ((verdict.data as Record<string, unknown>).success === false) return { kind: 'fatal', error: refusal(refusalMessage(body)) };
  }
  return verdict;
}
