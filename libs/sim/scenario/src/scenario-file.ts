import { readFile } from 'node:fs/promises';
import { parseScenario, type Scenario } from './scenario';

/** Reads and validates a scenario JSON file; throws an Error naming the file and the reason. */
export async function loadScenarioFile(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read scenario file ${path}: ${(err as Error).message}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`Scenario file ${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const r = parseScenario(json);
  if (!r.ok) throw new Error(`${path}: ${r.error}`);
  return r.value;
}
