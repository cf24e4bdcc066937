import { z } from 'zod';
import { CreateClinicInput } from './api';

/**
 * `POST /api/clinics/test-connection`: a real log-in with PIMS credentials that are not saved yet
 * (the "Test connection" of a clinic form before it is created). It answers like
 * `POST /api/clinics/:id/test-connection` (TestConnectionOutput); nothing is stored. Browser-safe.
 */
export const TestCredentialsInput = z.strictObject({
  /** The clinic's IANA time zone (some PIMS log-ins need it). */
  timezone: CreateClinicInput.shape.timezone,
  pims: CreateClinicInput.shape.pims,
});
export type TestCredentialsInput = z.input<typeof TestCredentialsInput>;
