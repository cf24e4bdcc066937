import type { ZodType } from 'zod';
import { ScheduleOutput } from '@pims/sync-contracts';

/** The schedule API's contract schemas under their component names in the OpenAPI document. */
const named = <T extends ZodType>(schema: T, id: string): T => schema.meta({ id }) as T;

export const scheduleSchemas = {
  ScheduleOutput: named(ScheduleOutput, 'ScheduleOutput'),
};
