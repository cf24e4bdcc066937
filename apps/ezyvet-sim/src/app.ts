import { Hono, type Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import {
  controlRoutes,
  handle,
  isControlPath,
  loopbackGuard,
  readJson,
  SimError,
  sleep,
} from '@pims/sim-scenario';
import { z } from 'zod';
import { routeOf, type Resource, type RouteKind } from './endpoints';
import { parseListQuery, pageOf, FilterError } from './filters';
import type { EzyClinic } from './model';
import { FIELDS } from './records';
import type { EzyState } from './state';
import type { ServedRecord } from './store';
import {
  BAD_TOKEN_TEXT,
  TOO_MANY,
  badRequest,
  errorBody,
  listBody,
  missingParameterText,
  notFound,
  refusal,
  singleBody,
  type EzAnswer,
} from './wire';
import { createAnimal, createBooking, createContact, createContactDetail, updateAppointment } from './writes';

type Route = RouteKind & { id: string | null };
export type EzyEnv = {
  Bindings: HttpBindings;
  Variables: { route: Route | null; clinic: EzyClinic | null; tokenBody: Record<string, unknown> | null };
};
type Ctx = Context<EzyEnv>;

const NO_STORE = { 'cache-control': 'no-store' };
const JSON_HEADERS = { 'content-type': 'application/json; charset=UTF-8', ...NO_STORE };

function answer(c: Ctx, a: EzAnswer): Response {
  return c.json(a.body, a.status, { ...NO_STORE, ...a.headers });
}

function bearer(c: Ctx): string | null {
  const h = c.req.header('authorization') ?? '';
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : null;
}

/** The token request's fields: JSON (what ezyVet documents) or a form. null when unreadable. */
async function readTokenBody(c: Ctx): Promise<Record<string, unknown> | null> {
  const text = await c.req.text();
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  const asJson = (): Record<string, unknown> | null => {
    try {
      const v: unknown = JSON.parse(text);
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  };
  const asForm = () => Object.fromEntries(new URLSearchParams(text));
  if (type.includes('json')) return asJson();
  if (type.includes('x-www-form-urlencoded')) return asForm();
  return asJson() ?? (text.includes('=') ? asForm() : null);
}

async function readBody(c: Ctx): Promise<{ ok: true; value: unknown } | { ok: false }> {
  const text = await c.req.text();
  if (!text.trim()) return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

const RateLimitSchema = z.strictObject({
  perEndpoint: z.number().int().min(0).optional(),
  perClinic: z.number().int().min(0).optional(),
});

/** The Hono app: ezyVet's API, and the loopback-only control API under /__sim. */
export function createEzyvetApp(state: EzyState): Hono<EzyEnv> {
  const app = new Hono<EzyEnv>();
  const guard = loopbackGuard<EzyEnv>();

  app.use('*', async (c, next) => {
    const path = c.req.path;
    if (isControlPath(path)) {
      c.header('Cache-Control', 'no-store');
      return guard(c, next);
    }
    // ezyVet routes: count, the faults, the token, the rate limit; then serve.
    const route = routeOf(c.req.method, path);
    c.set('route', route);
    c.set('clinic', null);
    let company: string | null;
    if (route?.counter === 'oauth') {
      const body = await readTokenBody(c);
      c.set('tokenBody', body);
      const id = body?.client_id;
      company =
        (typeof id === 'string' || typeof id === 'number') && state.clinics.has(String(id))
          ? String(id)
          : null;
    } else {
      company = state.tokenCompany(bearer(c));
    }
    if (route) state.stats.request(route.counter, company);
    const delay = state.faults.delayMs();
    if (delay > 0) await sleep(delay);
    if (state.faults.failsPath(path)) {
      state.stats.error(company);
      return c.json(
        errorBody('ServiceUnavailableException', 'The service is temporarily unavailable.'),
        503,
        NO_STORE,
      );
    }
    if (!route || route.counter === 'oauth') {
      await next();
      if (c.res.status >= 500) state.stats.error(company);
      return;
    }
    // Data requests (reads and writes): the injected 429s and errors answer before anything is served.
    const verdict = state.faults.judgeJson();
    if (verdict === 'rate_limited') {
      state.stats.rateLimited(company);
      return c.json(TOO_MANY, 429, {
        ...NO_STORE,
        'Retry-After': '1',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '1',
      });
    }
    if (verdict !== null) {
      state.stats.error(company);
      return c.json(errorBody('ServerException', 'An unexpected error occurred.'), verdict, NO_STORE);
    }
    const clinic = state.tokenClinic(bearer(c));
    if (!clinic) return c.json(errorBody('InvalidRequestException', BAD_TOKEN_TEXT), 401, NO_STORE);
    c.set('clinic', clinic);
    const limit = state.rateLimiter.take(clinic.companyId, route.limitKey);
    const limitHeaders: Record<string, string> =
      limit.limit > 0
        ? {
            'x-ratelimit-limit': String(limit.limit),
            'x-ratelimit-remaining': String(limit.remaining),
            'x-ratelimit-reset': String(limit.resetSeconds),
          }
        : {};
    if (!limit.allowed) {
      state.stats.rateLimited(company);
      return c.json(TOO_MANY, 429, {
        ...NO_STORE,
        ...limitHeaders,
        'Retry-After': String(limit.resetSeconds),
      });
    }
    await next();
    if (route.write && c.res.status >= 200 && c.res.status < 300 && state.faults.losesAnswer(path)) {
      // commitThenFail: the write is done; its answer is "lost" on the way back.
      c.res = undefined;
      c.res = new Response(JSON.stringify(errorBody('BadGatewayException', 'Bad gateway.')), {
        status: 502,
        headers: JSON_HEADERS,
      });
    }
    for (const [k, v] of Object.entries(limitHeaders)) c.res.headers.set(k, v);
    if (c.res.status >= 500) state.stats.error(company);
  });

  app.route(
    '/__sim',
    controlRoutes(state, {
      clinicSummary: (c) => ({ clientId: c.companyId, liveTokens: state.liveTokens(c.companyId) }),
      extend: (ctl) => {
        ctl.get(
          '/rate-limit',
          handle(() => ({ limits: state.rateLimiter.limits })),
        );
        ctl.post(
          '/rate-limit',
          handle(async (c) => {
            const r = RateLimitSchema.safeParse(await readJson(c));
            if (!r.success)
              throw new SimError('Invalid rate limit: give {perEndpoint?, perClinic?} as whole numbers >= 0');
            state.rateLimiter.set(r.data);
            return { ok: true, limits: state.rateLimiter.limits };
          }),
        );
      },
    }),
  );

  // ---- the token (docs/ezyvet-wire.md section 2) ----------------------------------------------

  const grant = (c: Ctx): EzAnswer => {
    const body = c.get('tokenBody');
    if (!body) return badRequest(missingParameterText('grant_type'));
    const text = (k: string) => {
      const v = body[k];
      return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
    };
    for (const k of ['grant_type', 'partner_id', 'client_id', 'client_secret'])
      if (text(k) === undefined) return badRequest(missingParameterText(k), [k]);
    if (text('grant_type') !== 'client_credentials')
      return badRequest(missingParameterText('grant_type'), ['grant_type']);
    const clinic = state.clinics.get(text('client_id')!.trim());
    if (!clinic || clinic.password !== text('client_secret') || text('partner_id')!.trim() === '')
      return refusal(401, 'InvalidClientException', 'Client authentication failed.');
    const t = state.grantToken(clinic.companyId);
    state.stats.login(clinic.companyId);
    return { status: 200, body: { access_token: t.token, token_type: 'Bearer', expires_in: t.expiresIn } };
  };

  // ---- lists (section 3) and records by id ------------------------------------------------------

  const withFaults = (resource: Resource, r: ServedRecord, clinic: EzyClinic): ServedRecord => {
    if (resource !== 'appointment') return r;
    const id = String(r.id);
    const malformed = clinic.appointments.get(id)?.malformed ?? null;
    if (malformed === 'missing_id') {
      const { id: _id, uid: _uid, ...rest } = r;
      return rest;
    }
    if (malformed === 'missing_start' || state.faults.isMalformed(id)) {
      const { start_at: _s, end_at: _e, ...rest } = r;
      return rest;
    }
    return r;
  };

  const read = (c: Ctx, route: Route, clinic: EzyClinic): EzAnswer => {
    const resource = route.read!;
    const store = clinic.stores[resource];
    const now = state.nowEpoch();
    if (route.id !== null) {
      const r = store.get(route.id);
      if (!r) return notFound(`${resource} ${route.id} was not found.`);
      return { status: 200, body: singleBody(resource, withFaults(resource, r, clinic), now) };
    }
    let q;
    try {
      q = parseListQuery(new URL(c.req.url).searchParams, FIELDS[resource]);
    } catch (err) {
      if (err instanceof FilterError) return badRequest(err.message);
      throw err;
    }
    const page = pageOf(resource === 'appointment' && (state.faults.config.malformedIds ?? []).length > 0 ? store.all().map((r) => (state.faults.isMalformed(String(r.id)) ? { ...r, modified_at: now } : r)) : store.all(), q); // served unreadable = changed now: a modified_at list holds it too
    page.items = page.items.map((r) => withFaults(resource, r, clinic));
    return { status: 200, body: listBody(resource, page, now) };
  };

  app.all('*', async (c) => {
    const route = c.get('route');
    if (!route) return answer(c, notFound());
    if (route.counter === 'oauth') return answer(c, grant(c));
    const clinic = c.get('clinic')!;
    if (route.read) return answer(c, read(c, route, clinic));
    const body = await readBody(c);
    if (!body.ok) return answer(c, badRequest('The request body must be JSON'));
    switch (route.write) {
      case 'booking':
        return answer(c, createBooking(state, clinic, body.value));
      case 'cancelAppointment':
        return answer(c, updateAppointment(state, clinic, route.id!, body.value));
      case 'createContact':
        return answer(c, createContact(state, clinic, body.value));
      case 'createContactDetail':
        return answer(c, createContactDetail(state, clinic, body.value));
      case 'createAnimal':
        return answer(c, createAnimal(state, clinic, body.value));
      default:
        return answer(c, notFound());
    }
  });

  app.onError((err, c) => {
    console.error('[ezyvet-sim]', err);
    if (isControlPath(c.req.path)) return c.json({ error: 'Internal error' }, 500);
    return c.json(errorBody('ServerException', 'An unexpected error occurred.'), 500);
  });

  return app;
}
