import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildResult } from 'esbuild';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const workspace = path.resolve(here, '../../../../..');

/** Bundles an entry for the browser the way the dashboard's client bundle would take it. */
async function bundleForBrowser(entry: string): Promise<BuildResult<{ metafile: true; write: false }>> {
  return build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: workspace,
  });
}

describe('@pims/sync-contracts is browser-safe', () => {
  it('bundles for the browser: its whole import graph reaches no Node built-in and no node-only library', async () => {
    const result = await bundleForBrowser(path.join(here, 'index.ts'));
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((f) => f.startsWith('libs/shared/util-core/'))).toBe(true);
    expect(inputs.filter((f) => f.startsWith('libs/shared/util/') || f.startsWith('node:'))).toEqual([]);
    const workspaceDirs = new Set(inputs.filter((f) => !f.startsWith('node_modules/')).map((f) => f.split('/src/')[0]));
    expect([...workspaceDirs].sort()).toEqual(['libs/domain/sync/contracts', 'libs/shared/util-core']);
  });

  it('the same bundle fails on a library that reaches node:crypto (what contracts importing @pims/util did)', async () => {
    const failure = await bundleForBrowser(path.join(workspace, 'libs/shared/util/src/index.ts')).then(
      () => null,
      (err: { errors?: { text: string }[] }) => err,
    );
    expect(failure?.errors?.map((e) => e.text).join('\n')).toMatch(/node:crypto/);
  });
});
