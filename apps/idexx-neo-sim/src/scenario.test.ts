import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '@pims/sim-scenario';

const scenariosDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');

describe('scenario format', () => {
  it.each(readdirSync(scenariosDir).filter((f) => f.endsWith('.json')))(
    'the shipped scenario %s is valid',
    async (file) => {
      const s = await loadScenarioFile(path.join(scenariosDir, file));
      expect(s.clinics.length).toBeGreaterThan(0);
    },
  );
});
