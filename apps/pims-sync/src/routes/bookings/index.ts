import { createRouter } from '../../http/router';
import { bookingsHandlers, type BookingsDeps } from './handlers';
import * as routes from './routes';

export function bookingsRouter(deps: BookingsDeps) {
  const h = bookingsHandlers(deps);
  return (
    createRouter()
      .openapi(routes.availability, h.availability)
      .openapi(routes.hold, h.hold)
      .openapi(routes.create, h.create)
      .openapi(routes.list, h.list)
      // /bookings/holds (POST) is registered before /bookings/{id}/... and never meets GET /bookings/{id}.
      .openapi(routes.get, h.get)
      .openapi(routes.cancel, h.cancel)
      .openapi(routes.reschedule, h.reschedule)
      .openapi(routes.retryWriteBack, h.retryWriteBack)
  );
}
