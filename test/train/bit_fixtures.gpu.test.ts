// Runs made by the code of commit 79dfcb0 (scripts/make-bit-fixtures.sh wrote them, with each
// run's command in command.txt) against the same commands today: the float64 reference must
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
  const args = command.trim().split(/\s+/).map((a) => (a === 'DIR' ? out : a));
  const p = spawnSync(process.execPath, [join(ROOT, 'bin/shallow-gd.mjs'), ...args], { encoding: 'utf8', timeout: 170_000 });
  const adapter = /^backend: (.*?)(?: \(software.*)?$/m.exec(p.stderr)?.[1];
  return { code: p.status, err: p.stderr, adapter };
}

const read = (dir: string, name: string) => readFileSync(join(dir, name));
const csvRows = (text: string) => text.trim().split('\n').slice(1).map((l) => l.split(',').map((v) => (v === '' ? NaN : Number(v))));

/** fp32 runs on two adapters: same steps and outcome, metrics within rounding's reach. */
function expectClose(got: string, want: string, label: string) {
  const [g, w] = [csvRows(got), csvRows(want)];
  expect(g.map((r) => r[0]), `${label}: logged steps`).toEqual(w.map((r) => r[0]));
  g.forEach((row, i) => row.forEach((v, j) => {
    const ref = w[i][j];
    if (Number.isNaN(ref)) return expect(v, `${label} row ${i} col ${j}`).toBeNaN();
    // Fractions of samples × neurons move by whole flips; the rest by fp32 rounding over the run.
    expect(Math.abs(v - ref), `${label} row ${i} col ${j}: ${v} vs ${ref}`).toBeLessThanOrEqual(1e-3 * Math.abs(ref) + 2e-3);
  }));
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
      expect(read(out, 'metrics.csv').toString()).toBe(read(mine, 'metrics.csv').toString());
      expect(JSON.parse(read(out, 'config.json').toString())).toEqual(JSON.parse(read(mine, 'config.json').toString()));
      for (const t of TENSORS) expect(read(out, `${t}.npy`).equals(read(mine, `${t}.npy`)), `${t}.npy`).toBe(true);
      const made = JSON.parse(read(mine, 'summary.json').toString());
      for (const f of RESULT_FIELDS) expect(summary[f], f).toEqual(made[f]);
    } else {
      // Another adapter (a GPU): no fixture holds its bits.
      console.info(`${run}: adapter "${r.adapter}" made no fixture; compared within fp32 tolerances`);
      expect(run.endsWith('-webgpu')).toBe(true);
      expectClose(read(out, 'metrics.csv').toString(), read(dir, 'metrics.csv').toString(), run);
      expect(summary.outcome).toBe(want.outcome);
    }
  });
});
