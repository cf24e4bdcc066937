import { createRouter } from '../../http/router';
import { healthHandlers, type HealthProbe } from './handlers';
import * as routes from './routes';

export type { HealthProbe };

export function healthRouter(probe: HealthProbe) {
  return createRouter().openapi(routes.health, healthHandlers(probe).health);
}
