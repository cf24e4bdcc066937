import type { Page, Response } from 'playwright';
import { pimsAuthFailed, pimsBadResponse, pimsMfaRequired, pimsUnavailable, type NeoCredentials } from '@pims/pims';
import { truncate, type AppError } from '@pims/util';
import { classifyThrown, isLoginPath } from './classify';
import type { NeoEndpoint, NeoRequestStats } from './neo-stats';

/** What one log-in attempt needs to know of its session. */
export interface NeoLoginTarget {
  /** The clinic's normalized base URL. */
  base: string;
  host: string;
  companyId: string | null;
  credentials: NeoCredentials;
  timeoutMs: number;
  stats: NeoRequestStats;
  /** Removes the password (and anything like a secret) from a text. */
  redact(message: string): string;
}

/** Thrown inside one log-in attempt for a failure worth retrying. */
export class TransientLoginError extends Error {
  constructor(
    readonly reason: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(reason);
  }
}

type PageState = 'login' | 'mfa' | 'dashboard' | 'other';

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

async function pageState(page: Page): Promise<PageState> {
  // A string, not a function: a function's source is re-serialized into the page, and under
  // tsx/esbuild (keepNames) its inner helpers reference a `__name` that the page does not have.
  const state = (await page.evaluate(PAGE_STATE_SCRIPT)) as string;
  if (state === 'dashboard' && isLoginPath(page.url())) return 'login';
  return state as PageState;
}

async function loginErrorText(page: Page, t: NeoLoginTarget): Promise<string | null> {
  const raw = await page
    .evaluate(() => {
      const el = document.querySelector('#login_error') ?? document.querySelector('.alert-danger') ?? document.querySelector('.alert-error');
      return el ? (el.textContent ?? '').trim() : null;
    })
    .catch(() => null);
  return raw ? t.redact(truncate(raw.replace(/\s+/g, ' '), 160)) : null;
}

function authFailed(t: NeoLoginTarget, detail: string | null, companyFieldUnfilled: boolean): AppError {
  t.stats.failure();
  const hint = companyFieldUnfilled ? ' (the log-in page asks for a company id, and none is configured)' : '';
  return pimsAuthFailed(`IDEXX Neo refused the log-in for company ${t.companyId ?? '(none)'}${detail ? `: ${detail}` : ''}${hint}. Check the clinic's credentials.`, {
    details: { companyId: t.companyId },
  });
}

function mfaRequired(t: NeoLoginTarget): AppError {
  t.stats.failure();
  return pimsMfaRequired(
    `IDEXX Neo asks for a verification code (multi-factor authentication) for company ${t.companyId ?? '(none)'}; automated sync needs a user without MFA.`,
    { details: { companyId: t.companyId } },
  );
}

function checkNavigation(t: NeoLoginTarget, resp: Response | null, endpoint: NeoEndpoint, path: string, attempt: number, started: number): void {
  const status = resp ? resp.status() : null;
  if (status !== null && (status >= 500 || status === 429 || status === 408)) {
    t.stats.emit({ endpoint, path, status, outcome: 'retry', attempt, durationMs: Date.now() - started, reason: `status ${status}` });
    const ra = resp?.headers()['retry-after'];
    throw new TransientLoginError(`status ${status} on ${path}`, ra && /^\d+$/.test(ra.trim()) ? Number(ra.trim()) * 1000 : null);
  }
}

/**
 * One log-in attempt through Neo's real form on `page`: success leaves the page on the dashboard
 * with the session's cookies. Refusals and MFA throw AppErrors (not worth retrying); failures worth
 * another attempt throw TransientLoginError; Playwright errors of a closed page pass through.
 */
export async function loginOnPage(page: Page, attempt: number, t: NeoLoginTarget): Promise<void> {
  const timeout = t.timeoutMs;
  const loginUrl = `${t.base}/login/`;

  let started = Date.now();
  let resp: Response | null;
  try {
    resp = await page.goto(loginUrl, { waitUntil: 'domcontentloaded', timeout });
  } catch (err) {
    const c = classifyThrown(err);
    t.stats.emit({ endpoint: 'login', path: '/login/', status: null, outcome: 'retry', attempt, durationMs: Date.now() - started, reason: c.kind === 'closed' ? 'closed' : c.reason });
    if (c.kind === 'closed') throw err;
    throw new TransientLoginError(`${c.reason} loading the log-in page`);
  }
  checkNavigation(t, resp, 'login', '/login/', attempt, started);
  const first = await pageState(page);
  if (first === 'dashboard') {
    t.stats.emit({ endpoint: 'login', path: '/login/', status: resp?.status() ?? null, outcome: 'ok', attempt, durationMs: Date.now() - started });
    return;
  }
  if (first === 'mfa') {
    t.stats.emit({ endpoint: 'login', path: '/login/', status: resp?.status() ?? null, outcome: 'mfa_required', attempt, durationMs: Date.now() - started });
    throw mfaRequired(t);
  }
  if (first !== 'login') {
    t.stats.emit({ endpoint: 'login', path: '/login/', status: resp?.status() ?? null, outcome: 'failed', attempt, durationMs: Date.now() - started, reason: 'no log-in form' });
    if (resp && resp.status() >= 400) {
      throw pimsUnavailable(`IDEXX Neo has no log-in page at ${t.host} (status ${resp.status()}); check the clinic's base URL`, { status: 502, retryable: false });
    }
    throw new TransientLoginError('the log-in page has no log-in form');
  }
  t.stats.emit({ endpoint: 'login', path: '/login/', status: resp?.status() ?? null, outcome: 'ok', attempt, durationMs: Date.now() - started });

  // Fill the real form.
  const { username, password } = t.credentials;
  const companyId = t.companyId;
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
    const c = classifyThrown(navError);
    if (c.kind === 'closed') throw navError;
    const state = await pageState(page).catch(() => 'other' as PageState);
    if (state === 'mfa') throw mfaRequired(t);
    if (state === 'dashboard') return;
    const errText = state === 'login' ? await loginErrorText(page, t) : null;
    if (errText) throw authFailed(t, errText, companyFieldUnfilled);
    t.stats.emit({ endpoint: 'login', path: '/login', status: null, outcome: 'retry', attempt, durationMs: Date.now() - started, reason: c.reason });
    throw new TransientLoginError(`${c.reason} after submitting the log-in form`);
  }
  const after = navigated as Response | null;
  checkNavigation(t, after, 'login', '/login', attempt, started);
  let state = await pageState(page);
  if (state === 'other' && !isLoginPath(page.url())) {
    // Away from /login but no dashboard shell yet: give a scripted page a moment, then open the dashboard.
    state = (await page
      .waitForSelector('#dashboard_shell', { timeout: Math.min(timeout, 5_000) })
      .then(() => 'dashboard' as const)
      .catch(() => 'other' as const)) as PageState;
    if (state === 'other') {
      const dash = await page.goto(`${t.base}/dashboard`, { waitUntil: 'domcontentloaded', timeout }).catch(() => null);
      checkNavigation(t, dash, 'login', '/dashboard', attempt, started);
      state = await pageState(page);
    }
  }
  const status = after?.status() ?? null;
  if (state === 'dashboard' && !isLoginPath(page.url())) {
    t.stats.emit({ endpoint: 'login', path: '/login', status, outcome: 'ok', attempt, durationMs: Date.now() - started });
    return;
  }
  if (state === 'mfa') {
    t.stats.emit({ endpoint: 'login', path: '/login', status, outcome: 'mfa_required', attempt, durationMs: Date.now() - started });
    throw mfaRequired(t);
  }
  if (state === 'login') {
    t.stats.emit({ endpoint: 'login', path: '/login', status, outcome: 'auth_failed', attempt, durationMs: Date.now() - started });
    throw authFailed(t, await loginErrorText(page, t), companyFieldUnfilled);
  }
  t.stats.emit({ endpoint: 'login', path: '/login', status, outcome: 'failed', attempt, durationMs: Date.now() - started, reason: 'no dashboard after log-in' });
  throw pimsBadResponse('IDEXX Neo showed neither its dashboard nor the log-in page after the log-in');
}
