/**
 * CLI: `npm run sim -- [--scenario FILE] [--port N] [--host H] [--now ISO] [--rate-limit N]`.
 * Env (see env.ts): EZYVET_SIM_SCENARIO, EZYVET_SIM_PORT (default 3300), EZYVET_SIM_HOST, EZYVET_SIM_NOW.
 * Without a scenario it serves the demo clinic (Harbour Vets) and prints its API credentials.
 */
import { parseArgs } from 'node:util';
import { closeOnSignals, loadScenarioFile, portOption, resolveScenarioFile } from '@pims/sim-scenario';
import { HARBOUR_VETS } from './demo';
import { readEzyvetSimEnv } from './env';
import { startEzyvetSimulator } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', short: 's' },
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      now: { type: 'string' },
      'rate-limit': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(
      'Usage: npm run --workspace @pims/ezyvet-sim sim -- [--scenario FILE] [--port N] [--host 127.0.0.1] [--now 2026-11-20T14:00:00Z] [--rate-limit 60]',
    );
    return;
  }
  const env = readEzyvetSimEnv();
  const port = portOption(values.port, env.port);
  const rateLimit = values['rate-limit'] !== undefined ? Number(values['rate-limit']) : undefined;
  if (rateLimit !== undefined && (!Number.isInteger(rateLimit) || rateLimit < 0))
    throw new Error(
      `--rate-limit must be a whole number of requests a minute (0 = off), got "${values['rate-limit']}"`,
    );
  const file = values.scenario ?? env.scenarioFile;
  const scenario = file ? await loadScenarioFile(resolveScenarioFile(file, env.initCwd)) : undefined;

  const sim = await startEzyvetSimulator({
    port,
    host: values.host ?? env.host,
    scenario,
    now: values.now ?? env.now,
    rateLimitPerMinute: rateLimit,
  });
  console.log(`ezyVet simulator listening on ${sim.url}`);
  if (!scenario) {
    console.log(
      `Demo clinic "${HARBOUR_VETS.name}" (${HARBOUR_VETS.timezone}): POST ${sim.url}/v1/oauth/access_token with partner_id ${HARBOUR_VETS.partnerId}  client_id ${HARBOUR_VETS.companyId}  client_secret ${HARBOUR_VETS.password}`,
    );
  } else {
    for (const c of sim.state.clinics.values())
      console.log(
        `Clinic client_id ${c.companyId} "${c.name}" (${c.timezone}): ${c.appointments.size} appointments`,
      );
  }
  console.log(`Control API (loopback only): ${sim.url}/__sim/stats`);

  closeOnSignals(sim);
}

main().catch((err: unknown) => {
  console.error(`ezyvet-sim: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
