import { createRouter } from '../../http/router';
import { syncHandlers, type SyncDeps } from './handlers';
import * as routes from './routes';

export function syncRouter(deps: SyncDeps) {
  const h = syncHandlers(deps);
  return (
    createRouter()
      .openapi(routes.full, h.full)
      .openapi(routes.inbound, h.inbound)
      .openapi(routes.cases, h.cases)
      .openapi(routes.reconcile, h.reconcile)
      // The fixed paths are registered before /sync/{syncId}.
      .openapi(routes.history, h.history)
      .openapi(routes.active, h.active)
      .openapi(routes.get, h.get)
      .openapi(routes.cancel, h.cancel)
  );
}
