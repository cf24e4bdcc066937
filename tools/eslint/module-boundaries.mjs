// A local ESLint rule with the effect of @nx/enforce-module-boundaries (the @nx plugins stop at Nx 23,
// this workspace runs Nx 24 without plugins). Every project carries tags in its package.json
// ("nx": {"tags": ["type:app" | "type:data-access" | "type:util", ...]}). The rule:
//   - a library never imports an app (by package name or by relative path);
//   - data-access may import data-access and util; util may import util only;
//   - tests (*.test.ts, testing/) may import the simulator (scope:sim), which product code never does;
//   - nobody deep-imports another project's files: only its package name (its src/index.ts).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const ALLOWED = {
  'type:app': ['type:app', 'type:data-access', 'type:util'],
  'type:data-access': ['type:data-access', 'type:util'],
  'type:util': ['type:util'],
};

let cache;
function projects(root) {
  if (cache) return cache;
  const list = [];
  const walk = (dir, depth) => {
    if (depth > 3 || !existsSync(dir)) return;
    const pj = path.join(dir, 'package.json');
    if (depth > 0 && existsSync(pj)) {
      const pkg = JSON.parse(readFileSync(pj, 'utf8'));
      const tags = pkg.nx?.tags ?? [];
      list.push({ name: pkg.name, dir, tags, type: tags.find((t) => t.startsWith('type:')) });
      return;
    }
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) walk(path.join(dir, e.name), depth + 1);
    }
  };
  walk(path.join(root, 'apps'), 0);
  walk(path.join(root, 'libs'), 0);
  cache = list;
  return list;
}

function owner(root, file) {
  return projects(root)
    .filter((p) => file === p.dir || file.startsWith(p.dir + path.sep))
    .sort((a, b) => b.dir.length - a.dir.length)[0];
}

export const moduleBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce project boundaries by tags (type:app / type:data-access / type:util)' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, additionalProperties: false }],
    messages: {
      appImport: 'A library must not import an app ({{target}}).',
      notAllowed: 'A project tagged {{from}} must not import {{target}} (tagged {{to}}).',
      deep: "Import {{target}} by its package name only, not its files ('{{spec}}').",
      untagged: 'Project {{name}} has no type:* tag in its package.json.',
    },
  },
  create(context) {
    const root = context.options[0]?.root ?? process.cwd();
    const file = path.resolve(context.filename);
    const self = owner(root, file);
    if (!self) return {};
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
        if (!target || target === self) return;
        const sub = spec.slice(target.name.length);
        if (sub && !['/testing'].includes(sub)) {
          context.report({ node, messageId: 'deep', data: { target: target.name, spec } });
          return;
        }
      }
      // Tests may start the IDEXX Neo simulator (an app tagged scope:sim) in-process.
      if (/\.test\.tsx?$|[\\/]testing[\\/]/.test(file) && target.tags.includes('scope:sim')) return;
      if (!self.type) {
        context.report({ node, messageId: 'untagged', data: { name: self.name } });
        return;
      }
      if (self.type !== 'type:app' && target.type === 'type:app') {
        context.report({ node, messageId: 'appImport', data: { target: target.name } });
        return;
      }
      if (!(ALLOWED[self.type] ?? []).includes(target.type)) {
        context.report({ node, messageId: 'notAllowed', data: { from: self.type, target: target.name, to: target.type ?? 'nothing' } });
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

export default { rules: { 'enforce-module-boundaries': moduleBoundaries } };
