import { createRouter } from '../../http/router';
import { scheduleHandlers, type ScheduleDeps } from './handlers';
import * as routes from './routes';

export type { ScheduleDeps };

export function scheduleRouter(deps: ScheduleDeps) {
  const h = scheduleHandlers(deps);
  return createRouter().openapi(routes.schedule, h.schedule);
}
