import { createRouter } from '../../http/router';
import { clinicsHandlers, type ClinicsDeps } from './handlers';
import * as routes from './routes';

export function clinicsRouter(deps: ClinicsDeps) {
  const h = clinicsHandlers(deps);
  return createRouter()
    .openapi(routes.create, h.create)
    .openapi(routes.list, h.list)
    .openapi(routes.get, h.get)
    .openapi(routes.update, h.update)
    .openapi(routes.testConnection, h.testConnection)
    .openapi(routes.testCredentials, h.testCredentials);
}
