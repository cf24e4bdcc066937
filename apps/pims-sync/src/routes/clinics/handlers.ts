import type { RouteHandler } from '@hono/zod-openapi';
import type { PimsRegistry } from '@pims/pims';
import type { ListClinicsOutput } from '@pims/sync-contracts';
import type { z } from 'zod';
import { checkNightlyCron, type ClinicsRepository } from '@pims/sync-data-access';
import { AppError } from '@pims/util';
import { ValidationError } from '../../http/errors';
import type { ServiceLogger } from '../../logger';
import type * as routes from './routes';
import { testPimsConnection, testPimsLogin } from './test-connection';

/**
 * A nightly-sync cron must be 5 fields with a single minute, so it runs at most once an hour (the
 * schema checks the shape first; this parses it as the dispatcher will).
 */
export function assertCron(cron: string | undefined, path: string[] = ['schedule', 'syncCron']): void {
  if (!cron) return;
  if (!checkNightlyCron(cron).ok) {
    throw new ValidationError(
      [{ code: 'custom', path, message: 'expected a 5-field cron that runs at most once an hour, such as "0 2 * * *"' }],
      'request body',
    );
  }
}

export interface ClinicsDeps {
  clinics: ClinicsRepository;
  /** The PIMS providers test-connection logs in through. */
  registry: PimsRegistry;
  logger: ServiceLogger;
}

const clinicNotFound = () => new AppError('clinic_not_found', 'No clinic with this id', { status: 404 });

/**
 * Clinics. The request body of POST carries the PIMS password: it is never logged, and answers
 * never contain credentials. A new clinic's nightly sync is planned by the dispatcher's next tick
 * (clinic_schedule_config.next_sync_at stays null until then).
 */
export function clinicsHandlers(deps: ClinicsDeps) {
  const create: RouteHandler<typeof routes.create> = async (c) => {
    const input = c.req.valid('json');
    assertCron(input.schedule?.syncCron);
    const { id } = await deps.clinics.create(input);
    deps.logger.info({ clinicId: id, timezone: input.timezone, hasSchedule: input.schedule !== undefined, hasVoiceAssistant: input.voiceAssistantId !== undefined }, 'clinic registered');
    return c.json({ id }, 201);
  };

  const list: RouteHandler<typeof routes.list> = async (c) => {
    const rows = await deps.clinics.list();
    const body: z.infer<typeof ListClinicsOutput> = {
      clinics: rows.map((r) => ({
        id: r.id,
        name: r.name,
        timezone: r.timezone,
        pimsProvider: r.pimsProvider,
        ...(r.lastSync
          ? {
              lastSync: {
                id: r.lastSync.id,
                syncType: r.lastSync.syncType as 'full',
                status: r.lastSync.status as 'completed',
                startedAt: r.lastSync.startedAt ? r.lastSync.startedAt.toISOString() : null,
                completedAt: r.lastSync.completedAt ? r.lastSync.completedAt.toISOString() : null,
              },
            }
          : {}),
      })),
    };
    return c.json(body, 200);
  };

  const get: RouteHandler<typeof routes.get> = async (c) => {
    const settings = await deps.clinics.getSettings(c.req.valid('param').id);
    if (!settings) throw clinicNotFound();
    return c.json(settings, 200);
  };

  /** The body carries new PIMS credentials at times: only the names of the changed settings are logged. */
  const update: RouteHandler<typeof routes.update> = async (c) => {
    const id = c.req.valid('param').id;
    const patch = c.req.valid('json');
    assertCron(patch.syncCron, ['syncCron']);
    const settings = await deps.clinics.updateSettings(id, patch);
    const changed = Object.keys(patch).map((k) => (k === 'pims' || k === 'schedule' || k === 'writeDefaults' ? `${k}(${Object.keys(patch[k] ?? {}).join(',')})` : k));
    deps.logger.info({ clinicId: id, changed }, 'clinic settings changed');
    return c.json(settings, 200);
  };

  const testConnection: RouteHandler<typeof routes.testConnection> = async (c) => {
    const clinic = await deps.clinics.findById(c.req.valid('param').id);
    if (!clinic) throw clinicNotFound();
    const result = await testPimsConnection(deps.registry, deps.clinics, clinic);
    deps.logger.info({ clinicId: clinic.id, provider: clinic.pimsProvider, ok: result.ok, code: result.ok ? undefined : result.error.code }, 'PIMS connection tested');
    return c.json(result, 200);
  };

  /** Credentials not saved yet: the body carries the password, so only the provider and the outcome are logged. */
  const testCredentials: RouteHandler<typeof routes.testCredentials> = async (c) => {
    const { timezone, pims } = c.req.valid('json');
    const credentials = { ...pims, baseUrl: pims.baseUrl.replace(/\/+$/, '') };
    const result = await testPimsLogin(deps.registry, pims.provider, credentials, timezone);
    deps.logger.info({ provider: pims.provider, ok: result.ok, code: result.ok ? undefined : result.error.code }, 'PIMS credentials tested');
    return c.json(result, 200);
  };

  return { create, list, get, update, testConnection, testCredentials };
}
