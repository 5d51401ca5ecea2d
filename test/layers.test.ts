// The layer rules in .dependency-cruiser.cjs cannot pass vacuously: run as `npm run lint:layers`
// runs them, on a small made-up tree, they flag each known-bad import there, by the rule meant
// to, and nothing in a tree that keeps to the layers. Every rule in the config must have a
// known-bad import here, so a rule that matches nothing (a misspelled path) fails this test.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const config = join(root, '.dependency-cruiser.cjs');
const rules: string[] = createRequire(import.meta.url)(config).forbidden.map((r: { name: string }) => r.name);

/** path → source; each file's imports are what the test is about. */
type Tree = Record<string, string>;

const GOOD: Tree = {
  'src/config/schema.ts': `export const s = 1;`,
  'src/config/resolve.ts': `import { s } from './schema'; export const r = s;`,
  'src/model/halt.ts': `import { r } from '../config/resolve'; export const h = r;`,
  'src/io/npy.ts': `import { h } from '../model/halt'; export const n = h;`,
  'src/spectrum/vec.ts': `import { h } from '../model/halt'; import { r } from '../config/resolve'; export const v = h + r;`,
  'src/gpu/kernels/loss.ts': `import wgsl from '../../../shaders/loss.wgsl?raw'; import { v } from '../../spectrum/vec'; import { n } from '../../io/npy'; export const k = wgsl + v + n;`,
  'src/gpu/engine.ts': `import { k } from './kernels/loss'; export const e = k;`,
  'src/gpu/device_browser.ts': `import { e } from './engine'; export const b = e;`,
  'src/gpu/device_node.ts': `import { readFileSync } from 'node:fs'; import { e } from './engine'; export const d = [readFileSync, e];`,
  'src/reference/trainer.ts': `import { h } from '../model/halt'; export const t = h;`,
  'src/train/loop.ts': `import { e } from '../gpu/engine'; import { t } from '../reference/trainer'; export const l = e + t;`,
  'src/sweep/grid.ts': `import { l } from '../train/loop'; export const g = l;`,
  'src/report/data.ts': `import { g } from '../sweep/grid'; export const p = g;`,
  'src/bench/bench.ts': `import { p } from '../report/data'; export const q = p;`,
  'src/cli/main.ts': `import { q } from '../bench/bench'; import { join } from 'node:path'; import 'runpkg'; export const c = [q, join];`,
  'src/ui/main.ts': `import type { Dev } from 'devpkg'; import { b } from '../gpu/device_browser'; import { q } from '../bench/bench'; export const u: Dev = b + q;`,
  'test/cli.test.ts': `import 'devpkg'; import { c } from '../src/cli/main'; export const x = c;`,
  'shaders/loss.wgsl': `// a shader`,
};

/**
 * Known-bad imports, each from a file of its own that nothing imports (so that none of them
 * closes a cycle by accident), with the one rule that must flag it: [rule, from, to, the
 * specifier written when it is not the path from `from` to `to`].
 */
const BAD: [string, string, string, string?][] = [
  ['config-imports-nothing', 'src/config/bad.ts', 'src/model/halt.ts'],
  ['model-imports-config-only', 'src/model/bad.ts', 'src/train/loop.ts'],
  ['io-spectrum-import-model-config-only', 'src/spectrum/bad.ts', 'src/io/npy.ts'],
  ['engines-below-train-and-apart', 'src/gpu/bad.ts', 'src/reference/trainer.ts'],
  ['engines-below-train-and-apart', 'src/reference/bad.ts', 'src/train/loop.ts'],
  ['train-above-engines-only', 'src/train/bad.ts', 'src/sweep/grid.ts'],
  ['sweep-report-bench-not-cli-ui', 'src/report/bad.ts', 'src/ui/main.ts'],
  ['cli-and-ui-apart', 'src/ui/bad.ts', 'src/cli/main.ts'],
  ['src-in-a-layer', 'src/cli/bad.ts', 'src/misc/util.ts'],
  ['src-not-test', 'src/bench/bad.ts', 'test/support.ts'],
  ['no-circular', 'src/io/header.ts', 'src/io/table.ts'], // table.ts imports header.ts (badTree)
  ['no-node-in-browser', 'src/ui/bad_node.ts', 'fs', 'node:fs'],
  ['no-node-in-browser', 'src/train/backend_browser.ts', 'path', 'path'],
  ['no-dev-deps-at-run-time', 'src/sweep/bad.ts', 'node_modules/devpkg/index.js', 'devpkg'],
  ['not-to-unresolvable', 'src/gpu/kernels/bad.ts', '../../../shaders/misspelled.wgsl?raw', '../../../shaders/misspelled.wgsl?raw'],
];

/** The known-bad tree: GOOD, the files that BAD imports from, and what they import. */
function badTree(): Tree {
  const tree: Tree = {
    ...GOOD,
    'src/misc/util.ts': `export const z = 0;`,
    'test/support.ts': `export const z = 0;`,
    'src/io/table.ts': `import './header';\n`,
  };
  for (const [, from, to, spec] of BAD) tree[from] = `${tree[from] ?? ''}import '${spec ?? relative(from, to)}';\n`;
  return tree;
}

/** An import specifier from one file of the tree to another. */
function relative(from: string, to: string): string {
  const up = from.split('/').length - 1;
  return '../'.repeat(up) + to.replace(/\.ts$/, '');
}

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Writes the tree (with a package.json, a tsconfig and two packages) and cruises it like lint:layers. */
function violations(tree: Tree): [string, string, string][] {
  const dir = mkdtempSync(join(tmpdir(), 'layers-'));
  made.push(dir);
  const files: Tree = {
    ...tree,
    'package.json': JSON.stringify({ name: 'fixture', type: 'module', dependencies: { runpkg: '1.0.0' }, devDependencies: { devpkg: '1.0.0' } }),
    'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'bundler', strict: true } }),
    'node_modules/devpkg/package.json': JSON.stringify({ name: 'devpkg', version: '1.0.0', main: 'index.js', types: 'index.d.ts' }),
    'node_modules/devpkg/index.js': `export {};`,
    'node_modules/devpkg/index.d.ts': `export type Dev = number;`,
    'node_modules/runpkg/package.json': JSON.stringify({ name: 'runpkg', version: '1.0.0', main: 'index.js' }),
    'node_modules/runpkg/index.js': `export {};`,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const bin = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
  const run = spawnSync(process.execPath, [bin, 'src', 'test', '--config', config, '--output-type', 'json'], { cwd: dir, encoding: 'utf8' });
  if (!run.stdout) throw new Error(`depcruise printed nothing: ${run.stderr}`);
  const result = JSON.parse(run.stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
  return result.summary.violations.map((v) => [v.rule.name, v.from, v.to] as [string, string, string]).sort();
}

describe('layer rules (.dependency-cruiser.cjs)', () => {
  it('find nothing in a tree that keeps to the layers, ?raw shaders and type-only devDependencies included', () => {
    expect(violations(GOOD)).toEqual([]);
  });

  it('flag each known-bad import, by its rule, and nothing else', () => {
    expect(violations(badTree())).toEqual(BAD.map(([rule, from, to]) => [rule, from, to]).sort());
  });

  it('have a known-bad import for every rule in the config', () => {
    expect(new Set(BAD.map(([rule]) => rule))).toEqual(new Set(rules));
  });
});
