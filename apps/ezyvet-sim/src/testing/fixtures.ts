import type { Credentials } from './http-client';

export { CREDS, FIXED_NOW, smallClinic } from '@pims/sim-scenario/testing';

/** The ezyVet API credentials of the shared small clinic: client_id = companyId, client_secret = password. */
export const EZY_CREDS: Credentials = {
  partner_id: 'partner-1',
  client_id: '8890',
  client_secret: 'Sim-Pass-2026!',
};

/** Epoch seconds of an instant. */
export function epoch(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}
