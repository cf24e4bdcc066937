import { createRoute } from '@hono/zod-openapi';
import { ClinicIdParam, ScheduleQuery } from '@pims/sync-contracts';
import { API_KEY, errorResponses, jsonContent } from '../../http/openapi';
import { scheduleSchemas as s } from './schemas';

export const schedule = createRoute({
  method: 'get',
  path: '/clinics/{id}/schedule',
  tags: ['schedule'],
  summary:
    "Every slot of a clinic's local days (default today and the 13 days after, at most 31) with its seats: PIMS appointments, our bookings (linked or not), live holds, taken and available",
  security: API_KEY,
  request: { params: ClinicIdParam, query: ScheduleQuery },
  responses: {
    200: jsonContent(s.ScheduleOutput, 'The slots in time order'),
    ...errorResponses(400, 401, 404),
  },
});
