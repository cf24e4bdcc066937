import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: root });

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === 'local/enforce-module-boundaries').map((m) => m.message);
}

describe('module boundaries (the lint fails the build on these)', () => {
  it('refuses a library importing an app, by name or by relative path', async () => {
    expect(await boundaryErrors('libs/shared/util/src/bad.ts', `import { startSimulator } from '@pims/idexx-neo-sim';\nexport const x = startSimulator;\n`)).toEqual([
      'A library must not import an app (@pims/idexx-neo-sim).',
    ]);
    expect(
      await boundaryErrors('libs/domain/sync/data-access/src/bad.ts', `import { x } from '../../../../../apps/idexx-neo-sim/src/index';\nexport const y = x;\n`),
    ).toEqual(['A library must not import an app (@pims/idexx-neo-sim).']);
  });

  it('refuses util importing data-access, and deep imports', async () => {
    expect(await boundaryErrors('libs/shared/util/src/bad.ts', `import { createPool } from '@pims/db';\nexport const x = createPool;\n`)).toEqual([
      'A project tagged type:util must not import @pims/db (tagged type:data-access).',
    ]);
    expect(await boundaryErrors('libs/domain/sync/data-access/src/bad.ts', `import { x } from '@pims/db/src/pool';\nexport const y = x;\n`)).toHaveLength(1);
  });

  it('allows data-access -> data-access and util, apps -> anything, tests -> the simulator', async () => {
    expect(await boundaryErrors('libs/domain/sync/data-access/src/ok.ts', `import { createPool } from '@pims/db';\nimport { AppError } from '@pims/util';\nexport const x = [createPool, AppError];\n`)).toEqual([]);
    expect(await boundaryErrors('libs/domain/sync/data-access/src/ok.test.ts', `import { startSimulator } from '@pims/idexx-neo-sim';\nexport const x = startSimulator;\n`)).toEqual([]);
    expect(await boundaryErrors('tools/ok.ts', `import { createPool } from '@pims/db';\nexport const x = createPool;\n`)).toEqual([]);
  });
});
