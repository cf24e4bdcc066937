/**
 * CLI: `npm run sim -- [--scenario FILE] [--port N] [--host H] [--now ISO]`.
 * Env (see env.ts): NEO_SIM_SCENARIO, NEO_SIM_PORT (default 3200), NEO_SIM_HOST, NEO_SIM_NOW.
 * Without a scenario it serves the demo clinic and prints its login.
 */
import { parseArgs } from 'node:util';
import { DEMO_CLINIC } from './demo';
import { readSimEnv } from './env';
import { closeOnSignals, loadScenarioFile, portOption, resolveScenarioFile } from '@pims/sim-scenario';
import { startSimulator } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', short: 's' },
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      now: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(
      'Usage: npm run sim -- [--scenario FILE] [--port N] [--host 127.0.0.1] [--now 2026-11-20T14:00:00Z]',
    );
    return;
  }
  const env = readSimEnv();
  const port = portOption(values.port, env.port);
  const file = values.scenario ?? env.scenarioFile;
  const scenario = file ? await loadScenarioFile(resolveScenarioFile(file, env.initCwd)) : undefined;

  const sim = await startSimulator({
    port,
    host: values.host ?? env.host,
    scenario,
    now: values.now ?? env.now,
  });
  console.log(`IDEXX Neo simulator listening on ${sim.url}`);
  if (!scenario) {
    console.log(
      `Demo login: ${sim.url}/login/  company_id ${DEMO_CLINIC.companyId}  username ${DEMO_CLINIC.username}  password ${DEMO_CLINIC.password}`,
    );
  } else {
    for (const c of sim.state.clinics.values())
      console.log(
        `Clinic ${c.companyId} "${c.name}" (${c.timezone}): username ${c.username}, ${c.appointments.size} appointments`,
      );
  }
  console.log(`Control API (loopback only): ${sim.url}/__sim/stats`);

  closeOnSignals(sim);
}

main().catch((err: unknown) => {
  console.error(`idexx-neo-sim: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
