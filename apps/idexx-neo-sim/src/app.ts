import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { HttpBindings } from '@hono/node-server';
import { todayIn } from '@pims/util';
import { dashboardPage, errorPage, loginPage, mfaPage, schedulePage } from './html';
import { isControlPath, loopbackGuard, minutesBetweenLocal, sleep, toClinicLocal } from '@pims/sim-scenario';
import type { Clinic } from './model';
import { routeKind } from './stats';
import { timingSafeEqual } from 'node:crypto';
import {
  createAppointment,
  createClient,
  createPatient,
  deleteAppointment,
  duplicateCheck,
  searchClients,
  searchPatients,
  type NeoAnswer,
} from './neo-writes';
import type { SimState } from './state';
import {
  appointmentDetail,
  appointmentView,
  calendarEvents,
  calendarResources,
  consultationPage,
} from './wire';
import { controlRoutes } from './control';

export type SimEnv = { Bindings: HttpBindings; Variables: { company: string | null } };
type Ctx = Context<SimEnv>;

export const SESSION_COOKIE = 'NEOSESSID';
export const CSRF_COOKIE = 'neo_csrf';
const MAX_RANGE_MINUTES = 31 * 24 * 60;

function wantsJson(c: Ctx): boolean {
  return (c.req.header('accept') ?? '').toLowerCase().includes('application/json');
}

function field(body: Record<string, unknown>, key: string, trim = true): string | undefined {
  const v = body[key];
  if (typeof v !== 'string') return undefined;
  return trim ? v.trim() : v;
}

/** Compares a sent token with the session's in constant time. */
function tokensEqual(sent: string | undefined, expected: string): boolean {
  if (!sent || expected === '') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM[:SS]', 'YYYY-MM-DDTHH:MM[:SS]' or an ISO instant with an offset. */
function parseRangeParam(value: string | undefined, zone: string): string | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return toClinicLocal(`${v} 00:00:00`, zone);
  return toClinicLocal(v, zone);
}

/** The Hono app: the Neo pages and JSON endpoints, and the loopback-only control API under /__sim. */
export function createSimApp(state: SimState): Hono<SimEnv> {
  const app = new Hono<SimEnv>();
  const guard = loopbackGuard<SimEnv>();

  app.use('*', async (c, next) => {
    c.header('Cache-Control', 'no-store');
    const path = c.req.path;
    if (isControlPath(path)) return guard(c, next);
    // Neo routes: count, then apply the faults, then serve.
    const kind = routeKind(c.req.method, path);
    const endpoint = kind.counter;
    let company = state.sessionCompany(getCookie(c, SESSION_COOKIE));
    if (endpoint === 'login') {
      const body = await c.req.parseBody();
      company =
        state.identifyClinic(field(body, 'company_id') || undefined, field(body, 'username'))?.companyId ??
        null;
    }
    c.set('company', company);
    if (endpoint) state.stats.request(endpoint, company);
    const delay = state.faults.delayMs();
    if (delay > 0) await sleep(delay);
    if (state.faults.failsPath(path)) {
      state.stats.error(company);
      return c.html(errorPage(503), 503);
    }
    if (kind.json) {
      const verdict = state.faults.judgeJson();
      if (verdict === 'rate_limited') {
        state.stats.rateLimited(company);
        return c.json({ error: 'Too many requests' }, 429, { 'Retry-After': '1' });
      }
      if (verdict !== null) {
        state.stats.error(company);
        return c.html(errorPage(verdict), verdict);
      }
    }
    await next();
    if (kind.write && c.res.status >= 200 && c.res.status < 300 && state.faults.losesAnswer(path)) {
      // commitThenFail: the write is done; its answer is "lost" on the way back.
      c.res = undefined;
      c.res = new Response(errorPage(502), {
        status: 502,
        headers: { 'content-type': 'text/html; charset=UTF-8', 'cache-control': 'no-store' },
      });
    }
    if (c.res.status >= 500) state.stats.error(company);
  });

  app.route('/__sim', controlRoutes(state));

  // ---- login -------------------------------------------------------------------------------

  const renderLogin = (c: Ctx, opts: { error?: string; companyId?: string; username?: string } = {}) => {
    const csrf = state.csrfFor(getCookie(c, CSRF_COOKIE));
    if (csrf.isNew) setCookie(c, CSRF_COOKIE, csrf.cookie, { httpOnly: true, path: '/', sameSite: 'Lax' });
    return c.html(
      loginPage({
        showCompanyId: state.showCompanyIdField(),
        csrfToken: csrf.token,
        seLoginRequest: csrf.seLoginRequest,
        ...opts,
      }),
      200,
    );
  };

  /** The session's clinic; or the "session expired" answer: the login page for JSON requests, a redirect otherwise. */
  const session = (c: Ctx): Clinic | Response => {
    const clinic = state.sessionClinic(getCookie(c, SESSION_COOKIE));
    if (clinic) return clinic;
    if (wantsJson(c)) return renderLogin(c);
    return c.redirect('/login/', 302);
  };

  app.get('/', (c) =>
    c.redirect(state.sessionClinic(getCookie(c, SESSION_COOKIE)) ? '/dashboard' : '/login/', 302),
  );
  app.get('/login', (c) => renderLogin(c));
  app.get('/login/', (c) => renderLogin(c));

  const postLogin = async (c: Ctx) => {
    const body = await c.req.parseBody();
    const companyId = field(body, 'company_id') || undefined;
    const username = field(body, 'username') ?? '';
    const password = field(body, 'password', false) ?? '';
    const csrfCookie = getCookie(c, CSRF_COOKIE);
    const fail = () => renderLogin(c, { error: 'Invalid login details', companyId, username });
    if (field(body, 'submitted') !== 'TRUE') return fail();
    if (!state.checkCsrf(csrfCookie, field(body, 'csrf_neo_token'), field(body, 'se_login_request')))
      return fail();
    const clinic = state.authenticate(companyId, username, password);
    if (!clinic) return fail();
    state.dropCsrf(csrfCookie);
    deleteCookie(c, CSRF_COOKIE, { path: '/' });
    if (clinic.mfa) return c.redirect('/login/mfa', 302);
    const sid = state.createSession(clinic.companyId);
    state.stats.login(clinic.companyId);
    setCookie(c, SESSION_COOKIE, sid, { httpOnly: true, path: '/', sameSite: 'Lax' });
    return c.redirect('/dashboard', 302);
  };
  app.post('/login', postLogin);
  app.post('/login/', postLogin);

  app.get('/login/mfa', (c) => c.html(mfaPage()));
  app.post('/login/mfa', (c) => c.html(mfaPage('Invalid verification code')));

  app.get('/logout', (c) => {
    state.endSession(getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login/', 302);
  });

  // ---- pages ---------------------------------------------------------------------------------

  /** What a logged-in page shows of its session (the CSRF meta token, the user's name). */
  const pageSession = (c: Ctx, clinic: Clinic) => ({
    csrfToken: state.liveSession(getCookie(c, SESSION_COOKIE))?.csrfToken ?? '',
    userName: clinic.userDisplayName,
  });

  app.get('/dashboard', (c) => {
    const clinic = session(c);
    if (clinic instanceof Response) return clinic;
    return c.html(dashboardPage(clinic, todayIn(clinic.timezone, state.clock), pageSession(c, clinic)));
  });

  app.get('/schedule', (c) => {
    const clinic = session(c);
    if (clinic instanceof Response) return clinic;
    const today = todayIn(clinic.timezone, state.clock);
    const asked = c.req.query('date');
    const date =
      asked && /^\d{4}-\d{2}-\d{2}$/.test(asked) && toClinicLocal(`${asked} 00:00:00`, 'UTC') ? asked : today;
    return c.html(schedulePage(clinic, date, today, pageSession(c, clinic)));
  });

  // ---- JSON endpoints ------------------------------------------------------------------------

  app.get('/appointments/getCalendarEventData', (c) => {
    const clinic = session(c);
    if (clinic instanceof Response) return clinic;
    const start = parseRangeParam(c.req.query('start'), clinic.timezone);
    const end = parseRangeParam(c.req.query('end'), clinic.timezone);
    if (!start || !end || end <= start) return c.json({ error: 'Invalid date range' }, 400);
    if (minutesBetweenLocal(start, end) > MAX_RANGE_MINUTES)
      return c.json({ error: 'Date range too large' }, 400);
    const events = calendarEvents(clinic, start, end).map((e) => {
      if (!state.faults.isMalformed(String(e.id))) return e;
      const { start: _start, ...rest } = e;
      return rest;
    });
    return c.json({ events, resources: calendarResources(clinic) });
  });

  app.get('/appointments/getAppointmentView', (c) => {
    const clinic = session(c);
    if (clinic instanceof Response) return clinic;
    return c.json(appointmentView(clinic));
  });

  app.get('/appointments/getAppointment', (c) => {
    const clinic = session(c);
    if (clinic instanceof Response) return clinic;
    const id = c.req.query('id')?.trim();
    if (!id) return c.json({ error: 'Missing id' }, 400);
    const a = clinic.appointments.get(id);
    if (!a) return c.json({ error: 'Not found' }, 404);
    return c.json(appointmentDetail(clinic, a));
  });

  app.get('/consultations/:id/page-data', (c) => {
    const clinic = session(c);
    if (clinic instanceof Response) return clinic;
    const k = clinic.consultations.get(c.req.param('id'));
    if (!k) return c.json({ error: 'Not found' }, 404);
    return c.json(consultationPage(clinic, k));
  });

  // ---- searches and writes (docs/idexx-neo-wire.md, "Writes") ------------------------------------

  /**
   * A write's clinic: a live session (else the expired-session answer), `X-Requested-With:
   * XMLHttpRequest`, and `X-CSRF-Token` equal to the session's meta token (else 403).
   */
  const writer = (c: Ctx): Clinic | Response => {
    const live = state.liveSession(getCookie(c, SESSION_COOKIE));
    if (!live) return wantsJson(c) ? renderLogin(c) : c.redirect('/login/', 302);
    if ((c.req.header('x-requested-with') ?? '').toLowerCase() !== 'xmlhttprequest')
      return c.json({ success: false, error: 'Invalid request: X-Requested-With is required' }, 403);
    if (!tokensEqual(c.req.header('x-csrf-token'), live.csrfToken))
      return c.json({ success: false, error: 'Invalid CSRF token' }, 403);
    return live.clinic;
  };
  const answer = (c: Ctx, a: NeoAnswer) => c.json(a.body, a.status);
  const jsonBody = async (c: Ctx): Promise<{ ok: true; value: unknown } | { ok: false }> => {
    const text = await c.req.text();
    if (!text.trim()) return { ok: true, value: {} };
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch {
      return { ok: false };
    }
  };
  const notJson = (c: Ctx) => c.json({ success: false, error: 'The request body must be JSON' }, 400);

  app.get('/search/patients', (c) => {
    const clinic = session(c);
    if (clinic instanceof Response) return clinic;
    const limit = Number(c.req.query('limit') ?? '100');
    return c.json(
      searchPatients(clinic, c.req.query('q') ?? '', {
        limit: Number.isFinite(limit) ? limit : 100,
        suggested: c.req.query('suggested') !== 'false',
      }),
    );
  });

  app.get('/clients/search', (c) => {
    const clinic = session(c);
    if (clinic instanceof Response) return clinic;
    return c.json(searchClients(clinic, c.req.query('term') ?? ''));
  });

  app.get('/clients/duplicateCheck', (c) => {
    const clinic = session(c);
    if (clinic instanceof Response) return clinic;
    return c.json(
      duplicateCheck(clinic, {
        firstName: c.req.query('firstName'),
        lastName: c.req.query('lastName'),
        homePhone: c.req.query('homePhone'),
      }),
    );
  });

  app.post('/clients/create', async (c) => {
    const clinic = writer(c);
    if (clinic instanceof Response) return clinic;
    const body = await jsonBody(c);
    return body.ok ? answer(c, createClient(clinic, body.value)) : notJson(c);
  });

  app.post('/patients/create', async (c) => {
    const clinic = writer(c);
    if (clinic instanceof Response) return clinic;
    const body = await jsonBody(c);
    return body.ok ? answer(c, createPatient(clinic, body.value)) : notJson(c);
  });

  app.post('/appointments/create', async (c) => {
    const clinic = writer(c);
    if (clinic instanceof Response) return clinic;
    // A form post (multipart/form-data, or url-encoded); any other body carries no fields.
    const type = (c.req.header('content-type') ?? '').toLowerCase();
    const fields =
      type.startsWith('multipart/form-data') || type.startsWith('application/x-www-form-urlencoded')
        ? await c.req.parseBody()
        : {};
    return answer(c, createAppointment(clinic, fields, state.clock.now()));
  });

  app.post('/appointments/delete/:id', async (c) => {
    const clinic = writer(c);
    if (clinic instanceof Response) return clinic;
    const body = await jsonBody(c);
    if (!body.ok) return notJson(c);
    return answer(c, deleteAppointment(clinic, c.req.param('id'), body.value, state.clock.now()));
  });

  app.notFound((c) => (wantsJson(c) ? c.json({ error: 'Not found' }, 404) : c.html(errorPage(404), 404)));
  app.onError((err, c) => {
    console.error('[idexx-neo-sim]', err);
    if (isControlPath(c.req.path)) return c.json({ error: 'Internal error' }, 500);
    return c.html(errorPage(500), 500);
  });

  return app;
}
