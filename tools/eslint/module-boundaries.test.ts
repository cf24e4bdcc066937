import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import boundaries from './module-boundaries.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const eslint = new ESLint({ cwd: root });

/** The workspace's own lint (eslint.config.mjs) on a made-up file at a real path. */
async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === 'local/enforce-module-boundaries').map((m) => m.message);
}

// The miniature workspace in fixtures/workspace (see its README): the same rule, rooted there.
const fixtureRoot = path.join(here, 'fixtures/workspace');
const fixtureLint = new ESLint({
  cwd: fixtureRoot,
  overrideConfigFile: true,
  overrideConfig: [
    {
      files: ['**/*.ts', '**/*.tsx'],
      languageOptions: { parser: tseslint.parser, parserOptions: { ecmaFeatures: { jsx: true } } },
      plugins: { local: boundaries },
      rules: { 'local/enforce-module-boundaries': ['error', { root: fixtureRoot, browserDirs: ['apps/web/src/components'] }] },
    },
  ],
});

async function fixtureErrors(file: string, ...imports: string[]): Promise<string[]> {
  const code = `${imports.join('\n')}\nexport const used = 1;\n`;
  const [result] = await fixtureLint.lintText(code, { filePath: path.join(fixtureRoot, file) });
  expect(result.messages.filter((m) => m.fatal)).toEqual([]);
  return result.messages.map((m) => m.message);
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

  it('allows data-access -> data-access and util, apps -> libraries, tools -> anything, tests -> the simulator', async () => {
    expect(await boundaryErrors('libs/domain/sync/data-access/src/ok.ts', `import { createPool } from '@pims/db';\nimport { AppError } from '@pims/util';\nexport const x = [createPool, AppError];\n`)).toEqual([]);
    expect(await boundaryErrors('libs/domain/sync/data-access/src/ok.test.ts', `import { startSimulator } from '@pims/idexx-neo-sim';\nexport const x = startSimulator;\n`)).toEqual([]);
    expect(await boundaryErrors('tools/ok.ts', `import { createPool } from '@pims/db';\nimport { startSimulator } from '@pims/idexx-neo-sim';\nexport const x = [createPool, startSimulator];\n`)).toEqual([]);
    expect(await boundaryErrors('apps/pims-sync/src/ok.ts', `import { AppError } from '@pims/util';\nimport { SyncType } from '@pims/sync-contracts';\nexport const x = [AppError, SyncType];\n`)).toEqual([]);
  });

  it('holds the real projects to their layers and runtimes', async () => {
    expect(await boundaryErrors('libs/domain/sync/data-access/src/bad.ts', `import type { PimsProvider } from '@pims/idexx-neo';\nexport type P = PimsProvider;\n`)).toEqual([
      'The domain (@pims/sync-data-access) must not import an integration (@pims/idexx-neo, scope:integration); depend on the PIMS port (scope:pims).',
    ]);
    expect(await boundaryErrors('libs/integrations/idexx-neo/src/bad.ts', `import { SyncType } from '@pims/sync-contracts';\nexport const x = SyncType;\n`)).toEqual([
      'An integration (@pims/idexx-neo) must not import the domain (@pims/sync-contracts); only the PIMS port (scope:pims).',
    ]);
    expect(await boundaryErrors('libs/domain/sync/contracts/src/bad.ts', `import { AppError } from '@pims/util';\nexport const x = AppError;\n`)).toEqual([
      '@pims/sync-contracts is browser code (runtime:browser) and may import only runtime:browser projects, not @pims/util.',
    ]);
    expect(await boundaryErrors('libs/shared/util-core/src/bad.ts', `import { randomBytes } from 'node:crypto';\nexport const x = randomBytes;\n`)).toEqual([
      "Browser code must not import the node-only module 'node:crypto'.",
    ]);
    expect(await boundaryErrors('apps/web/src/components/admin/sync/bad.tsx', `import { createPool } from '@pims/db';\nexport const x = createPool;\n`)).toEqual([
      "This file of @pims/web runs in the browser ('use client' or under apps/web/src/components) and may import only runtime:browser projects, not @pims/db.",
    ]);
    expect(await boundaryErrors('apps/web/src/components/admin/sync/ok.tsx', `import { PHASE_LABEL } from '@pims/sync-contracts';\nexport const x = PHASE_LABEL;\n`)).toEqual([]);
    expect(await boundaryErrors('apps/pims-sync/src/bad.ts', `import { startSimulator } from '@pims/idexx-neo-sim';\nexport const x = startSimulator;\n`)).toEqual([
      'An app must not import another app (@pims/idexx-neo-sim); only tests may start the simulator (scope:sim).',
    ]);
  });
});

describe('module boundaries on the fixture workspace (each rule refuses a violating import)', () => {
  it('the domain imports no integration, by name, by relative path or for types only; the port is fine', async () => {
    const refusal = 'The domain (@fx/engine) must not import an integration (@fx/neo, scope:integration); depend on the PIMS port (scope:pims).';
    expect(await fixtureErrors('libs/domain/engine/src/a.ts', "import { x } from '@fx/neo';")).toEqual([refusal]);
    expect(await fixtureErrors('libs/domain/engine/src/a.ts', "import { x } from '../../../integrations/neo/src/index';")).toEqual([refusal]);
    expect(await fixtureErrors('libs/domain/engine/src/a.ts', "import type { X } from '@fx/neo';")).toEqual([refusal]);
    expect(await fixtureErrors('libs/domain/engine/src/a.ts', "export * from '@fx/neo';")).toEqual([refusal]);
    expect(await fixtureErrors('libs/domain/engine/src/a.ts', "import { p } from '@fx/port';", "import { c } from '@fx/contracts';", "import { d } from '@fx/db';")).toEqual([]);
  });

  it('an integration imports no domain project except the PIMS port (scope:pims)', async () => {
    expect(await fixtureErrors('libs/integrations/neo/src/a.ts', "import { x } from '@fx/engine';")).toEqual([
      'An integration (@fx/neo) must not import the domain (@fx/engine); only the PIMS port (scope:pims).',
    ]);
    expect(await fixtureErrors('libs/integrations/neo/src/a.ts', "import { x } from '@fx/contracts';")).toEqual([
      'An integration (@fx/neo) must not import the domain (@fx/contracts); only the PIMS port (scope:pims).',
    ]);
    expect(await fixtureErrors('libs/integrations/neo/src/a.ts', "import { p } from '@fx/port';", "import { u } from '@fx/node-util';", "import { d } from '@fx/db';")).toEqual([]);
  });

  it('no app imports another app; tests (and e2e/) may start the simulator', async () => {
    expect(await fixtureErrors('apps/service/src/a.ts', "import { x } from '@fx/web';")).toEqual([
      'An app must not import another app (@fx/web); only tests may start the simulator (scope:sim).',
    ]);
    expect(await fixtureErrors('apps/service/src/a.ts', "import { x } from '@fx/sim';")).toEqual([
      'An app must not import another app (@fx/sim); only tests may start the simulator (scope:sim).',
    ]);
    expect(await fixtureErrors('apps/service/src/a.ts', "import { x } from '../../web/src/index';")).toEqual([
      'An app must not import another app (@fx/web); only tests may start the simulator (scope:sim).',
    ]);
    expect(await fixtureErrors('apps/service/src/a.test.ts', "import { x } from '@fx/sim';")).toEqual([]);
    expect(await fixtureErrors('apps/service/src/testing/harness.ts', "import { x } from '@fx/sim';")).toEqual([]);
    expect(await fixtureErrors('apps/web/e2e/stack.ts', "import { x } from '@fx/sim';")).toEqual([]);
    expect(await fixtureErrors('apps/service/src/a.test.ts', "import { x } from '@fx/web';")).toEqual([
      'An app must not import another app (@fx/web); only tests may start the simulator (scope:sim).',
    ]);
    expect(await fixtureErrors('libs/domain/engine/src/a.ts', "import { x } from '@fx/tools';")).toEqual(['A library must not import an app (@fx/tools).']);
    expect(await fixtureErrors('tools/a.ts', "import { x } from '@fx/sim';", "import { y } from '@fx/service';")).toEqual([]);
  });

  it('runtime:browser projects import only runtime:browser projects and no Node built-in or node-only library', async () => {
    expect(await fixtureErrors('libs/domain/contracts/src/a.ts', "import { x } from '@fx/node-util';")).toEqual([
      '@fx/contracts is browser code (runtime:browser) and may import only runtime:browser projects, not @fx/node-util.',
    ]);
    expect(await fixtureErrors('libs/domain/port/src/a.ts', "import type { X } from '@fx/node-util';")).toEqual([
      '@fx/port is browser code (runtime:browser) and may import only runtime:browser projects, not @fx/node-util.',
    ]);
    const nodeOnly = (spec: string) => `Browser code must not import the node-only module '${spec}'.`;
    for (const spec of ['node:crypto', 'crypto', 'fs', 'fs/promises', 'node:path', 'pg', 'playwright', '@playwright/test', 'pino', 'server-only']) {
      expect(await fixtureErrors('libs/shared/core/src/a.ts', `import x from '${spec}';`), spec).toEqual([nodeOnly(spec)]);
    }
    expect(await fixtureErrors('libs/shared/core/src/a.ts', "const fs = await import('node:fs');")).toEqual([nodeOnly('node:fs')]);
    expect(await fixtureErrors('libs/domain/contracts/src/a.ts', "import { z } from 'zod';", "import { DateTime } from 'luxon';", "import { core } from '@fx/core';", "import { p } from '@fx/port';")).toEqual([]);
    // Their tests and config files run in Node.
    expect(await fixtureErrors('libs/domain/contracts/src/a.test.ts', "import path from 'node:path';", "import { build } from 'esbuild';")).toEqual([]);
    expect(await fixtureErrors('libs/shared/core/vitest.config.ts', "import path from 'node:path';")).toEqual([]);
  });

  it("an app's browser files ('use client', components/) import no node-only module and only runtime:browser projects", async () => {
    const client = (target: string) =>
      `This file of @fx/web runs in the browser ('use client' or under apps/web/src/components) and may import only runtime:browser projects, not ${target}.`;
    expect(await fixtureErrors('apps/web/src/components/a.tsx', "import { x } from '@fx/db';")).toEqual([client('@fx/db')]);
    expect(await fixtureErrors('apps/web/src/components/deep/a.ts', "import { x } from '@fx/engine';")).toEqual([client('@fx/engine')]);
    expect(await fixtureErrors('apps/web/src/components/a.tsx', "import { readFile } from 'node:fs/promises';")).toEqual([
      "Browser code must not import the node-only module 'node:fs/promises'.",
    ]);
    expect(await fixtureErrors('apps/web/src/app/page.tsx', "'use client';", "import { x } from '@fx/node-util';")).toEqual([client('@fx/node-util')]);
    expect(await fixtureErrors('apps/web/src/app/page.tsx', '"use strict";', "'use client';", "import pg from 'pg';")).toEqual([
      "Browser code must not import the node-only module 'pg'.",
    ]);
    // Server code of the same app may import anything a server may.
    expect(await fixtureErrors('apps/web/src/app/page.tsx', "import { x } from '@fx/node-util';", "import pg from 'pg';")).toEqual([]);
    expect(await fixtureErrors('apps/web/src/server/a.ts', "import { x } from '@fx/db';", "import fs from 'node:fs';")).toEqual([]);
    expect(await fixtureErrors('apps/web/src/app/page.tsx', "import { x } from '@fx/db';", "'use client';")).toEqual([]); // not a directive there
    expect(
      await fixtureErrors('apps/web/src/components/a.tsx', "'use client';", "import { c } from '@fx/contracts';", "import { useState } from 'react';", "import { api } from '../trpc/react';"),
    ).toEqual([]);
  });

  it('still refuses the type rules and deep imports in the fixture workspace', async () => {
    expect(await fixtureErrors('libs/shared/core/src/a.ts', "import { x } from '@fx/db';")).toEqual(['A project tagged type:util must not import @fx/db (tagged type:data-access).']);
    expect(await fixtureErrors('libs/integrations/neo/src/a.ts', "import { x } from '@fx/port/src/records';")).toEqual([
      "Import @fx/port by its package name only, not its files ('@fx/port/src/records').",
    ]);
  });
});
