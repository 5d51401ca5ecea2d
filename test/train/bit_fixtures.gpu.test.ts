// Runs made by the code of commit 79dfcb0 (scripts/make-bit-fixtures.sh wrote them, with each
// run's command in command.txt; test/fixtures/bits/README.md lists what was remade since)
// against the same commands today: the float64 reference must
// give the same bits on any machine, and the WebGPU engine the same bits on an adapter that
// made one of its fixtures (NAME-webgpu: SwiftShader; NAME-webgpu-lavapipe). On another
// adapter a WebGPU run is compared with fp32 tolerances instead, and the test says so.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');
const FIXTURES = join(__dirname, '../fixtures/bits');
const TENSORS = ['X', 'y', 'W0', 'a0', 'W', 'a'];
/** Result fields of summary.json that a run's bits decide (the rest are timings and the machine). */
const RESULT_FIELDS = ['outcome', 'steps_done', 'steps_to_eps', 'loss0', 'final'] as const;

function train(command: string, out: string) {
  if (!existsSync(join(ROOT, 'dist-cli/main.js'))) throw new Error('dist-cli/main.js missing: run `npm run build:cli` (npm test does)');
  // The fixtures predate the stability monitor, which only reads the state (test/train/monitor.test.ts):
  // left off, as each of its products is a 20 ms round trip on SwiftShader.
  const args = [...command.trim().split(/\s+/).map((a) => (a === 'DIR' ? out : a)), '--sharpness-products', '0'];
  const p = spawnSync(process.execPath, [join(ROOT, 'bin/shallow-gd.mjs'), ...args], { encoding: 'utf8', timeout: 170_000 });
  const adapter = /^backend: (.*?)(?: \(software.*)?$/m.exec(p.stderr)?.[1];
  return { code: p.status, err: p.stderr, adapter };
}

const read = (dir: string, name: string) => readFileSync(join(dir, name));

/**
 * A metrics.csv as text columns by name. Runs are compared column by column on the fixture's
 * header, so that a column added since (one that only reads the state, like `sharpness`)
 * leaves every fixture column to be compared byte for byte.
 */
function csvColumns(text: string): Map<string, string[]> {
  const [header, ...lines] = text.trim().split('\n').map((l) => l.split(','));
  return new Map(header.map((name, j) => [name, lines.map((cells) => cells[j])]));
}
const numbers = (cells: string[]) => cells.map((v) => (v === '' ? NaN : Number(v)));

/** Every column of the fixture's metrics.csv, with exactly its text. */
function expectSameColumns(got: string, want: string) {
  const g = csvColumns(got);
  for (const [name, cells] of csvColumns(want)) expect(g.get(name), `metrics.csv column ${name}`).toEqual(cells);
}

/** The fixture's fields of an object, at every depth, each equal: a field added since is not compared. */
function expectFixtureFields(got: unknown, want: unknown, label: string) {
  const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isObject(want) || !isObject(got)) return expect(got, label).toEqual(want);
  for (const [key, value] of Object.entries(want)) expectFixtureFields(got[key], value, `${label}.${key}`);
}

/** fp32 runs on two adapters: same steps and outcome, every fixture column within rounding's reach. */
function expectClose(got: string, want: string, label: string) {
  const g = csvColumns(got);
  for (const [name, cells] of csvColumns(want)) {
    const [v, w] = [numbers(g.get(name) ?? []), numbers(cells)];
    if (name === 'step') expect(v, `${label}: logged steps`).toEqual(w);
    expect(v, `${label} column ${name}`).toHaveLength(w.length);
    w.forEach((ref, i) => {
      if (Number.isNaN(ref)) return expect(v[i], `${label} row ${i} ${name}`).toBeNaN();
      // Fractions of samples × neurons move by whole flips; the rest by fp32 rounding over the run.
      expect(Math.abs(v[i] - ref), `${label} row ${i} ${name}: ${v[i]} vs ${ref}`).toBeLessThanOrEqual(1e-3 * Math.abs(ref) + 2e-3);
    });
  }
}

const folders = readdirSync(FIXTURES).filter((f) => existsSync(join(FIXTURES, f, 'command.txt'))).sort();
/** Each run once per backend: its CPU fixture, or the WebGPU fixtures of every adapter that made one. */
const runs = [...new Set(folders.map((f) => f.replace(/-webgpu-.*$/, '-webgpu')))];

describe('the same config, seed and adapter give the same bits as commit 79dfcb0', () => {
  it('has fixtures for both backends, and for a second adapter', () => {
    expect(runs.filter((r) => r.endsWith('-cpu')).length).toBeGreaterThanOrEqual(5);
    expect(runs.filter((r) => r.endsWith('-webgpu')).length).toBeGreaterThanOrEqual(5);
    expect(folders.filter((r) => r.endsWith('-webgpu-lavapipe')).length).toBeGreaterThanOrEqual(5);
  });

  it.each(runs)('%s', (run) => {
    const dir = join(FIXTURES, run);
    const out = join(mkdtempSync(join(tmpdir(), 'shallow-gd-bits-')), 'run');
    const r = train(readFileSync(join(dir, 'command.txt'), 'utf8'), out);
    const want = JSON.parse(read(dir, 'summary.json').toString());
    expect(r.code, r.err).toBe(want.outcome === 'diverged' ? 4 : 0);
    const summary = JSON.parse(read(out, 'summary.json').toString());
    const mine = folders.map((f) => join(FIXTURES, f)).find((f) => (f === dir || f.startsWith(`${dir}-`)) && read(f, 'adapter.txt').toString().trim() === r.adapter);
    if (mine) {
      expectSameColumns(read(out, 'metrics.csv').toString(), read(mine, 'metrics.csv').toString());
      expectFixtureFields(JSON.parse(read(out, 'config.json').toString()), JSON.parse(read(mine, 'config.json').toString()), 'config');
      for (const t of TENSORS) expect(read(out, `${t}.npy`).equals(read(mine, `${t}.npy`)), `${t}.npy`).toBe(true);
      const made = JSON.parse(read(mine, 'summary.json').toString());
      for (const f of RESULT_FIELDS.filter((f) => f !== 'final')) expect(summary[f], f).toEqual(made[f]);
      expectFixtureFields(summary.final, made.final, 'final');
    } else {
      // Another adapter (a GPU): no fixture holds its bits.
      console.info(`${run}: adapter "${r.adapter}" made no fixture; compared within fp32 tolerances`);
      expect(run.endsWith('-webgpu')).toBe(true);
      expectClose(read(out, 'metrics.csv').toString(), read(dir, 'metrics.csv').toString(), run);
      expect(summary.outcome).toBe(want.outcome);
    }
  });
});
