// The type tests can fail: queries.test-d.ts is compiled (with the TypeScript compiler, as tsc does)
// against copies of queries.ts with one deliberate mistake each, and each copy must give errors.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const dir = path.dirname(fileURLToPath(import.meta.url));
const QUERIES = path.join(dir, 'queries.ts');
const TYPE_TESTS = path.join(dir, 'queries.test-d.ts');
const source = readFileSync(QUERIES, 'utf8');

let previous: ts.Program | undefined;

/** The errors tsc reports for the type tests when queries.ts reads `mutated`. */
function typeErrors(mutated: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(dir, '..', 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  )!;
  const host = ts.createCompilerHost(config.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) =>
    path.resolve(fileName) === QUERIES
      ? ts.createSourceFile(fileName, mutated, languageVersion, true)
      : getSourceFile(fileName, languageVersion, onError, shouldCreate);
  const readFile = host.readFile.bind(host);
  host.readFile = (fileName) => (path.resolve(fileName) === QUERIES ? mutated : readFile(fileName));
  const program = ts.createProgram({
    rootNames: [TYPE_TESTS],
    options: config.options,
    host,
    oldProgram: previous,
  });
  previous = program;
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

function mutate(from: string, to: string): string {
  expect(source).toContain(from);
  return source.replace(from, to);
}

describe('queries.test-d.ts', { timeout: 120_000 }, () => {
  it('compiles against queries.ts as it is', () => {
    expect(typeErrors(source)).toEqual([]);
  });

  it('fails when a helper selects a column its table does not have', () => {
    const errors = typeErrors(mutate('discharge_summary:metadata', 'discharge_summary:metdata'));
    expect(errors.join('\n')).toContain("column 'metdata' does not exist on 'cases'");
  });

  it('fails when a helper’s return type is loosened to any', () => {
    const errors = typeErrors(mutate('): Promise<BookingByConfirmation | null> {', '): Promise<any> {'));
    expect(errors).toContain("Unused '@ts-expect-error' directive.");
  });

  it('fails when a helper’s row type names a column that is not selected', () => {
    const errors = typeErrors(
      mutate("  | 'write_back_status'\n", "  | 'write_back_status'\n  | 'idempotency_key'\n"),
    );
    expect(errors.join('\n')).toMatch(/Property 'idempotency_key' is missing/);
  });
});
