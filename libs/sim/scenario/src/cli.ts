import { existsSync } from 'node:fs';
import path from 'node:path';

/** What every simulator's CLI (`npm run sim`) shares: where a scenario file is, the port, and stopping on a signal. */

/** A scenario path as the user meant it: `npm run sim` runs in the workspace folder, a relative path is from where npm was started. */
export function resolveScenarioFile(file: string, initCwd: string | undefined): string {
  if (path.isAbsolute(file)) return file;
  if (initCwd && existsSync(path.resolve(initCwd, file))) return path.resolve(initCwd, file);
  return path.resolve(file);
}

/** `--port` when given (a port number, 0 = any free one), else the env's. */
export function portOption(given: string | undefined, fallback: number): number {
  const port = given !== undefined ? Number(given) : fallback;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got "${given}"`);
  return port;
}

/** Closes the simulator and exits on SIGINT / SIGTERM (0 when it closed cleanly). */
export function closeOnSignals(sim: { close(): Promise<void> }): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`Received ${signal}, stopping the simulator.`);
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
