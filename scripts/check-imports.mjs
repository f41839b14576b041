// The layering of src/, checked on every `npm test` (see docs/architecture.md): no import cycle among the
// modules, the elements reach the core only through src/core/for-elements.ts (which loads no LiveStore), the core imports no element and no
// Lit, and the worker (src/server) imports from the core only what has no DOM (the wire contract, the schema,
// hashing and the manifest).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');
const walk = (dir) => readdirSync(dir).flatMap((name) => (statSync(path.join(dir, name)).isDirectory() ? walk(path.join(dir, name)) : [path.join(dir, name)]));
const modules = walk(src).filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'));
const rel = (file) => path.relative(root, file);

/** Static imports and re-exports (`import type` too: a cycle of types is still a tangle); not `import()`. */
const importsOf = (file) => {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^\s*((?:import|export)\b[^'"]*?)from\s+'([^']+)'/gm), ...text.matchAll(/^\s*(import)\s+'([^']+)'/gm)].map((m) => ({
    spec: m[2],
    // `import type` / `export type` load nothing at run time.
    typeOnly: /^(?:import|export)\s+type\b/.test(m[1].trim()),
  }));
  return specs.map(({ spec, typeOnly }) => ({ spec, typeOnly, target: spec.startsWith('.') ? path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts') : undefined }));
};
const graph = new Map(modules.map((file) => [file, importsOf(file)]));

const problems = [];
const inside = (file, dir) => file.startsWith(path.join(src, dir) + path.sep);
for (const [file, imports] of graph) {
  for (const { spec, target } of imports) {
    if (inside(file, 'elements') && target && inside(target, 'core') && target !== path.join(src, 'core/for-elements.ts')) {
      problems.push(`${rel(file)} imports ${spec}: elements reach the core only through src/core/for-elements.ts`);
    }
    if (inside(file, 'core') && ((target && inside(target, 'elements')) || spec === 'lit' || spec.startsWith('lit/') || spec.startsWith('@lit/'))) {
      problems.push(`${rel(file)} imports ${spec}: the core has no elements and no Lit`);
    }
    if (inside(file, 'server') && target && inside(target, 'elements')) problems.push(`${rel(file)} imports ${spec}: the worker has no elements`);
  }
}

// Cycles: a depth-first walk that reports each back edge's loop once.
const state = new Map();
const stack = [];
const visit = (file) => {
  state.set(file, 'open');
  stack.push(file);
  for (const { target } of graph.get(file) ?? []) {
    if (!target || !graph.has(target)) continue;
    if (state.get(target) === 'open') problems.push(`import cycle: ${[...stack.slice(stack.indexOf(target)), target].map(rel).join(' -> ')}`);
    else if (!state.has(target)) visit(target);
  }
  stack.pop();
  state.set(file, 'done');
};
for (const file of modules) if (!state.has(file)) visit(file);

// The elements and the kit's entry load no LiveStore before they render: no static import leads there.
const reachesLiveStore = (start) => {
  const seen = new Set([start]);
  const trail = new Map([[start, [start]]]);
  for (const file of seen) {
    for (const { spec, target, typeOnly } of graph.get(file) ?? []) {
      if (typeOnly) continue;
      if (spec.startsWith('@livestore/') || spec === 'effect') return [...trail.get(file), spec];
      if (target && graph.has(target) && !seen.has(target)) {
        seen.add(target);
        trail.set(target, [...trail.get(file), target]);
      }
    }
  }
  return undefined;
};
for (const entry of [path.join(src, 'index.ts'), path.join(src, 'core/for-elements.ts')]) {
  const path_ = reachesLiveStore(entry);
  if (path_) problems.push(`${rel(entry)} loads LiveStore before the elements render: ${path_.map((p) => (p.startsWith(src) ? rel(p) : p)).join(' -> ')}`);
}

if (problems.length > 0) {
  console.error([...new Set(problems)].join('\n'));
  process.exit(1);
}
console.log(`${modules.length} modules: no import cycle, and every layer imports only what it may.`);
