import { createRoute } from '@hono/zod-openapi';
import { AvailabilityQuery, BookingIdParam, ClinicIdParam, ListBookingsQuery } from '@pims/sync-contracts';
import { API_KEY, BODY_ERRORS, errorResponses, jsonContent } from '../../http/openapi';
import { bookingSchemas as s } from './schemas';

export const availability = createRoute({
  method: 'get',
  path: '/clinics/{id}/availability',
  tags: ['bookings'],
  summary: "A clinic's open slots with their seats (clinic-local dates, at most 31 days; default today .. today + forwardDays)",
  security: API_KEY,
  request: { params: ClinicIdParam, query: AvailabilityQuery },
  responses: {
    200: jsonContent(s.AvailabilityOutput, 'Slots that start after now, in time order'),
    ...errorResponses(400, 401, 404),
  },
});

export const hold = createRoute({
  method: 'post',
  path: '/bookings/holds',
  tags: ['bookings'],
  summary: 'Hold one seat of a slot for ttlSeconds (409 slot_unavailable with alternatives when none is free)',
  security: API_KEY,
  request: { body: { required: true, ...jsonContent(s.CreateHoldInput, 'The slot and how long to hold it') } },
  responses: {
    201: jsonContent(s.HoldOutput, 'Held'),
    ...errorResponses(...BODY_ERRORS, 404, 409),
  },
});

export const create = createRoute({
  method: 'post',
  path: '/bookings',
  tags: ['bookings'],
  summary: 'Book a seat (a slot or a live hold); the same idempotencyKey again answers the same booking',
  security: API_KEY,
  request: { body: { required: true, ...jsonContent(s.CreateBookingInput, 'The slot or hold, the client, the patient and the reason') } },
  responses: {
    201: jsonContent(s.Booking, 'Booked (writeBack.status pending until it reaches the PIMS)'),
    ...errorResponses(...BODY_ERRORS, 404, 409),
  },
});

export const list = createRoute({
  method: 'get',
  path: '/bookings',
  tags: ['bookings'],
  summary: 'Bookings, newest first, a page at a time (nextCursor)',
  security: API_KEY,
  request: { query: ListBookingsQuery },
  responses: {
    200: jsonContent(s.ListBookingsOutput, 'A page'),
    ...errorResponses(400, 401),
  },
});

export const get = createRoute({
  method: 'get',
  path: '/bookings/{id}',
  tags: ['bookings'],
  summary: 'One booking with its write-back state',
  security: API_KEY,
  request: { params: BookingIdParam },
  responses: {
    200: jsonContent(s.Booking, 'The booking'),
    ...errorResponses(400, 401, 404),
  },
});

export const cancel = createRoute({
  method: 'post',
  path: '/bookings/{id}/cancel',
  tags: ['bookings'],
  summary: 'Cancel a booking (or release a live hold); its seat is free at once',
  security: API_KEY,
  request: { params: BookingIdParam, body: { required: false, ...jsonContent(s.CancelBookingInput, 'Optional: why') } },
  responses: {
    200: jsonContent(s.Booking, 'Cancelled'),
    ...errorResponses(...BODY_ERRORS, 404, 409),
  },
});

export const reschedule = createRoute({
  method: 'post',
  path: '/bookings/{id}/reschedule',
  tags: ['bookings'],
  summary: 'Move a confirmed booking to another slot with room (409 slot_unavailable and the old slot kept otherwise)',
  security: API_KEY,
  request: { params: BookingIdParam, body: { required: true, ...jsonContent(s.RescheduleBookingInput, 'The new slot') } },
  responses: {
    200: jsonContent(s.Booking, 'The booking at its new slot'),
    ...errorResponses(...BODY_ERRORS, 404, 409),
  },
});

export const retryWriteBack = createRoute({
  method: 'post',
  path: '/bookings/{id}/write-back',
  tags: ['bookings'],
  summary: "Retry a failed write-back into the PIMS (409 write_back_not_failed when it is not 'failed')",
  security: API_KEY,
  request: { params: BookingIdParam },
  responses: {
    202: jsonContent(s.RetryWriteBackOutput, 'Queued again'),
    ...errorResponses(400, 401, 404, 409),
  },
});
