import { Hono } from 'hono';
import cronParser from 'cron-parser';
import { CreateClinicInput, type ListClinicsOutput } from '@pims/sync-contracts';
import type { ClinicsRepository } from '@pims/sync-data-access';
import type { z } from 'zod';
import { validate } from '../http/validate';
import { ValidationError } from '../http/errors';
import { errFields, type ServiceLogger } from '../logger';

export interface ClinicScheduler {
  ensure(clinic: NonNullable<Awaited<ReturnType<ClinicsRepository['findById']>>>): Promise<void>;
}

/**
 * A daily-sync cron must parse (cron-parser, in the clinic's zone), have exactly 5 fields and a
 * single minute, so it runs at most once an hour (the schema checks the shape first).
 */
export function assertCron(cron: string | undefined, timezone: string): void {
  if (!cron) return;
  let ok: boolean;
  try {
    const fields = cron.trim().split(/\s+/);
    const parsed = cronParser.parseExpression(cron, { tz: timezone });
    ok = fields.length === 5 && parsed.fields.minute.length === 1;
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new ValidationError(
      [{ code: 'custom', path: ['schedule', 'syncCron'], message: 'expected a 5-field cron that runs at most once an hour, such as "0 2 * * *"' }],
      'request body',
    );
  }
}

/**
 * Clinics. The request body of POST carries the PIMS password: it is never logged, and answers
 * never contain credentials.
 */
export function clinicsRoute(deps: { clinics: ClinicsRepository; schedules: ClinicScheduler | null; logger: ServiceLogger }) {
  return new Hono()
    .post('/clinics', validate('json', CreateClinicInput), async (c) => {
      const input = c.req.valid('json');
      assertCron(input.schedule?.syncCron, input.timezone);
      const { id } = await deps.clinics.create(input);
      deps.logger.info({ clinicId: id, timezone: input.timezone, hasSchedule: input.schedule !== undefined }, 'clinic registered');
      if (deps.schedules) {
        const clinic = await deps.clinics.findById(id);
        // The clinic is registered either way; a schedule that could not be written now is written
        // by the workers' next reconcile.
        if (clinic) {
          await deps.schedules.ensure(clinic).catch((err) => {
            deps.logger.warn({ clinicId: id, err: errFields(err) }, 'daily sync not scheduled yet; the next reconcile will do it');
          });
        }
      }
      return c.json({ id }, 201);
    })
    .get('/clinics', async (c) => {
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
    });
}
