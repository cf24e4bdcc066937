import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { z } from 'zod';
import { todayIn } from '@pims/util';
import { FaultsSchema } from './faults';
import type { ScenarioClinic } from './model';
import { clinicAppointments } from './readout';
import { parseScenario, formatIssues } from './scenario';
import { SimError, type ScenarioState } from './state';

/**
 * The control API of CONTRACT section 5 (/__sim/*), the same on every simulator, open only to
 * loopback callers. Answers 200 JSON or 400 {error}; 404 for an unknown control route.
 */

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback. Anything else (or unknown) is not loopback. */
export function isLoopbackAddress(address: string | undefined | null): boolean {
  if (!address) return false;
  const a = address.trim().toLowerCase();
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice(7) : a;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

export const CONTROL_PREFIX = '/__sim';

export function isControlPath(path: string): boolean {
  return path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`);
}

/** Whether the request came over a loopback interface (the socket's remote address). */
export function fromLoopback<E extends { Bindings: HttpBindings }>(c: Context<E>): boolean {
  return isLoopbackAddress(c.env?.incoming?.socket?.remoteAddress);
}

/** 403 for a control request from anywhere but loopback. */
export function loopbackGuard<E extends { Bindings: HttpBindings }>(): MiddlewareHandler<E> {
  return async (c, next) => {
    if (!fromLoopback(c))
      return c.json({ error: 'The simulator control API is only available from loopback' }, 403);
    return next();
  };
}

export type ControlContext = Context<{ Bindings: HttpBindings }>;

/** A JSON body ({} when empty); a SimError when it is not JSON. */
export async function readJson(c: ControlContext): Promise<unknown> {
  const text = await c.req.text();
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new SimError('Body must be JSON');
  }
}

/** A control handler: its result answered 200 JSON, a SimError 400/404 with the reason. */
export function handle(fn: (c: ControlContext) => Promise<unknown> | unknown) {
  return async (c: ControlContext) => {
    try {
      return c.json((await fn(c)) as object, 200);
    } catch (err) {
      if (err instanceof SimError) return c.json({ error: err.message }, err.status);
      throw err;
    }
  };
}

const ClockSchema = z.strictObject({ now: z.string().nullable() });
const ExpireSchema = z.strictObject({
  companyId: z.union([z.string(), z.number()]).transform(String).optional(),
});

export interface ControlOptions<C extends ScenarioClinic> {
  /** Extra fields of a clinic in GET /__sim/clinics. */
  clinicSummary?: (clinic: C) => Record<string, unknown>;
  /** Adds the simulator's own control routes (before the 404 for unknown ones). */
  extend?: (ctl: Hono<{ Bindings: HttpBindings }>) => void;
}

/** The control routes, to mount at /__sim behind `loopbackGuard()`. */
export function controlRoutes<C extends ScenarioClinic>(
  state: ScenarioState<C, string>,
  opts: ControlOptions<C> = {},
): Hono<{ Bindings: HttpBindings }> {
  const ctl = new Hono<{ Bindings: HttpBindings }>();

  ctl.post(
    '/scenario',
    handle(async (c) => {
      const r = parseScenario(await readJson(c));
      if (!r.ok) throw new SimError(r.error);
      return { ok: true, clinics: state.applyScenario(r.value) };
    }),
  );

  ctl.get(
    '/clinics',
    handle(() => ({
      now: state.clock.now().toISOString(),
      clinics: [...state.clinics.values()].map((c) => ({
        companyId: c.companyId,
        name: c.name,
        username: c.username,
        timezone: c.timezone,
        today: todayIn(c.timezone, state.clock),
        ...opts.clinicSummary?.(c),
        appointments: c.appointments.size,
        consultations: c.consultations.size,
      })),
    })),
  );

  ctl.get(
    '/clinics/:companyId/appointments',
    handle((c) => {
      const id = String(c.req.param('companyId'));
      const clinic = state.clinics.get(id);
      if (!clinic) throw new SimError(`Unknown clinic ${id}`);
      return clinicAppointments(clinic);
    }),
  );

  ctl.delete(
    '/clinics/:companyId',
    handle((c) => {
      const id = String(c.req.param('companyId'));
      if (!state.removeClinic(id)) throw new SimError(`Unknown clinic ${id}`);
      return { ok: true };
    }),
  );

  ctl.post(
    '/faults',
    handle(async (c) => {
      const r = FaultsSchema.safeParse(await readJson(c));
      if (!r.success) throw new SimError(`Invalid faults: ${formatIssues(r.error)}`);
      state.faults.set(r.data);
      return { ok: true, faults: state.faults.config };
    }),
  );
  ctl.get(
    '/faults',
    handle(() => ({ faults: state.faults.config })),
  );

  ctl.get(
    '/stats',
    handle(() => state.stats.snapshot()),
  );
  ctl.post(
    '/reset-stats',
    handle(() => {
      state.stats.reset();
      return { ok: true };
    }),
  );

  ctl.get(
    '/clock',
    handle(() => ({ now: state.clock.now().toISOString(), fixed: state.clock.isFixed() })),
  );
  ctl.post(
    '/clock',
    handle(async (c) => {
      const r = ClockSchema.safeParse(await readJson(c));
      if (!r.success) throw new SimError(`Invalid clock: ${formatIssues(r.error)}`);
      try {
        state.clock.set(r.data.now);
      } catch {
        throw new SimError(
          'now must be an ISO instant with a zone (e.g. 2026-11-20T14:00:00Z), or null for real time',
        );
      }
      return { ok: true, now: state.clock.now().toISOString(), fixed: state.clock.isFixed() };
    }),
  );

  ctl.post(
    '/consultations/:id',
    handle(async (c) => ({
      ok: true,
      ...state.updateConsultation(String(c.req.param('id')), await readJson(c)),
    })),
  );
  ctl.post(
    '/appointments',
    handle(async (c) => ({ ok: true, ...state.addAppointment(await readJson(c)) })),
  );
  ctl.post(
    '/appointments/:id',
    handle(async (c) => ({
      ok: true,
      ...state.updateAppointment(String(c.req.param('id')), await readJson(c)),
    })),
  );
  ctl.delete(
    '/appointments/:id',
    handle((c) => ({
      ok: true,
      ...state.removeAppointment(String(c.req.param('id')), c.req.query('companyId') || undefined),
    })),
  );

  ctl.post(
    '/sessions/expire',
    handle(async (c) => {
      const r = ExpireSchema.safeParse(await readJson(c));
      if (!r.success) throw new SimError(formatIssues(r.error));
      return { ok: true, expired: state.expireSessions(r.data.companyId) };
    }),
  );

  opts.extend?.(ctl);

  ctl.all('*', (c) => c.json({ error: `Unknown control route ${c.req.method} ${c.req.path}` }, 404));
  return ctl;
}
