import type { ZodType } from 'zod';
import { ClinicSettings, TestConnectionOutput, TestCredentialsInput, UpdateClinicInput } from '@pims/sync-contracts';

/** The clinic settings schemas under their component names in the OpenAPI document. */
const named = <T extends ZodType>(schema: T, id: string): T => schema.meta({ id }) as T;

export const clinicSchemas = {
  ClinicSettings: named(ClinicSettings, 'ClinicSettings'),
  UpdateClinicInput: named(UpdateClinicInput, 'UpdateClinicInput'),
  TestConnectionOutput: named(TestConnectionOutput, 'TestConnectionOutput'),
  TestCredentialsInput: named(TestCredentialsInput, 'TestCredentialsInput'),
};
