import type { ZodType } from 'zod';
import {
  AvailabilityOutput,
  BookingView,
  CancelBookingInput,
  CreateBookingInput,
  CreateHoldInput,
  HoldOutput,
  ListBookingsOutput,
  RescheduleBookingInput,
} from '@pims/sync-contracts';
import { z } from 'zod';

/** The booking API's contract schemas under their component names in the OpenAPI document. */
const named = <T extends ZodType>(schema: T, id: string): T => schema.meta({ id }) as T;

export const bookingSchemas = {
  AvailabilityOutput: named(AvailabilityOutput, 'AvailabilityOutput'),
  CreateHoldInput: named(CreateHoldInput, 'CreateHoldInput'),
  HoldOutput: named(HoldOutput, 'HoldOutput'),
  CreateBookingInput: named(CreateBookingInput, 'CreateBookingInput'),
  Booking: named(BookingView, 'Booking'),
  ListBookingsOutput: named(ListBookingsOutput, 'ListBookingsOutput'),
  CancelBookingInput: named(CancelBookingInput, 'CancelBookingInput'),
  RescheduleBookingInput: named(RescheduleBookingInput, 'RescheduleBookingInput'),
  RetryWriteBackOutput: named(
    z.object({ bookingId: z.uuid(), writeBack: z.object({ status: z.literal('pending') }) }),
    'RetryWriteBackOutput',
  ),
};
