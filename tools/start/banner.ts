/** What npm start prints once everything is up. Secrets from the environment are never printed. */
import { shown, type LoadedSecrets } from './secrets';

export interface BannerInput {
  secrets: LoadedSecrets;
  webUrl: string;
  syncUrl: string;
  simUrl: string;
  sim: { companyId: string; username: string };
  /** The ezyVet simulator and its demo clinic (never its client secret). */
  ezyvet: { url: string; clientId: string; clinic: string };
  /** The address the services listen on (HOST). */
  bind: string;
  database: string;
}

export function banner(b: BannerInput): string {
  const { secrets } = b;
  const everyInterface = b.bind === '0.0.0.0' || b.bind === '::';
  const lines = [
    '',
    'PIMS Sync is running.',
    `  Dashboard:        ${b.webUrl}/dashboard/admin/sync`,
    `  Admin login:      ${secrets.values.ADMIN_EMAIL} / ${shown(secrets, 'ADMIN_PASSWORD')}`,
    `  pims-sync API:    ${b.syncUrl}  (header x-api-key: ${shown(secrets, 'PIMS_SYNC_API_KEY')})`,
    `  Vapi tool calls:  ${b.syncUrl}/api/vapi/tool-calls  (header x-vapi-secret: ${shown(secrets, 'VAPI_SECRET')})`,
    `  IDEXX Neo (sim):  ${b.simUrl}  (company ${b.sim.companyId}, user ${b.sim.username})`,
    `  ezyVet (sim):     ${b.ezyvet.url}  (${b.ezyvet.clinic}, client_id ${b.ezyvet.clientId})`,
    `  Database:         ${b.database}`,
    everyInterface ? `  Listening on every interface (HOST=${b.bind}), not only this machine.` : '',
    secrets.generated.length ? `  Generated and kept in ${secrets.file}: ${secrets.generated.join(', ')}` : '',
    'Press Ctrl-C to stop.',
    '',
  ];
  return lines.filter((l) => l !== '').join('\n') + '\n';
}
