import { z } from 'zod';
import { CreateClinicInput, LocalDateString, TestCredentialsInput, UpdateClinicInput } from '@pims/sync-contracts';

/** Inputs of the admin.clinics procedures: pims-sync's own contracts, so the form and the service agree. */

const clinicId = z.uuid({ error: 'Not a clinic id' });

export const clinicIdSchema = z.strictObject({ clinicId });

export const createClinicSchema = CreateClinicInput;

export const updateClinicSchema = z.strictObject({ clinicId, patch: UpdateClinicInput });

export const testCredentialsSchema = TestCredentialsInput;

export const scheduleSchema = z.strictObject({
  clinicId,
  from: LocalDateString.optional(),
  to: LocalDateString.optional(),
});
