/**
 * The only module that reads the environment (besides main.ts). All variables are optional.
 *   EZYVET_SIM_PORT      port of the simulator (default 3300; 0 picks a free port)
 *   EZYVET_SIM_HOST      interface to listen on (default 127.0.0.1)
 *   EZYVET_SIM_SCENARIO  a scenario JSON file to load instead of the demo clinic
 *   EZYVET_SIM_NOW       an ISO instant: the simulator's clock is fixed at it (default: real time)
 *   INIT_CWD             set by npm: the directory `npm run sim` was started from (relative paths)
 */
export interface EzyvetSimEnv {
  port: number;
  host: string;
  scenarioFile?: string;
  now?: string;
  initCwd?: string;
}

export const DEFAULT_EZYVET_SIM_PORT = 3300;

export function readEzyvetSimEnv(env: NodeJS.ProcessEnv = process.env): EzyvetSimEnv {
  const rawPort = env.EZYVET_SIM_PORT?.trim();
  let port = DEFAULT_EZYVET_SIM_PORT;
  if (rawPort) {
    const n = Number(rawPort);
    if (!Number.isInteger(n) || n < 0 || n > 65535)
      throw new Error(`EZYVET_SIM_PORT must be a port number, got "${rawPort}"`);
    port = n;
  }
  return {
    port,
    host: env.EZYVET_SIM_HOST?.trim() || '127.0.0.1',
    scenarioFile: env.EZYVET_SIM_SCENARIO?.trim() || undefined,
    now: env.EZYVET_SIM_NOW?.trim() || undefined,
    initCwd: env.INIT_CWD?.trim() || undefined,
  };
}

/** EZYVET_SIM_NOW alone, for the programmatic API's default clock. */
export function envNow(): string | undefined {
  return process.env.EZYVET_SIM_NOW?.trim() || undefined;
}
