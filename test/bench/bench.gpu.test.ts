// `shallow-gd bench --quick` runs end to end: it checks the harness and its outputs, never a speed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchConfig, type BenchReport } from '../../src/bench/bench';
import type { SweepBenchReport } from '../../src/bench/sweep';
import { planRun } from '../../src/gpu/plan';
import { gpu } from '../support/gpu';

describe('shallow-gd bench', () => {
  it('--quick times every kernel, the step and the reference product, and writes JSON and markdown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shallow-gd-bench-'));
    const p = spawnSync(process.execPath, [join(__dirname, '../../bin/shallow-gd.mjs'), 'bench', '--quick', '--json', join(dir, 'b.json'), '--md', join(dir, 'b.md')], { encoding: 'utf8', timeout: 170_000 });
    expect(p.status, p.stderr).toBe(0);
    const r = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8')) as BenchReport;
    // The adapter this test process gets: the same driver, found the same way.
    const { info } = await gpu();
    expect(r.adapter).toMatchObject({ kind: 'webgpu', name: info.name, software: info.software });
    expect(['timestamp', 'wall']).toContain(r.timing);
    expect(r.sizes.map((s) => s.m)).toEqual([256, 512, 1024]);
    for (const s of r.sizes) {
      expect(Object.keys(s.kernels)).toEqual(['forward', 'residual', 'loss', 'backward_update', 'neuron_stats', 'chunk_reduce', 'metrics']);
      for (const v of [...Object.values(s.kernels), s.stepSeconds, s.matmulGflops, s.hostMicrosPerStep, s.efficiency]) {
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThan(0);
      }
      expect(s.gflops).toBeCloseTo((4 * s.n * s.d * s.m) / s.stepSeconds / 1e9, 6);
      // The yardstick is the best of the project's product variants, each measured in the run.
      expect(Object.keys(s.matmulByVariant).sort()).toEqual(['registers', 'tiled']);
      expect(s.matmulGflops).toBe(Math.max(...Object.values(s.matmulByVariant)));
      expect(s.matmulByVariant[s.matmulKernel]).toBe(s.matmulGflops);
      expect(s.efficiency).toBeCloseTo(s.gflops / s.matmulGflops, 9);
      expect(s.hostBatch).toBeGreaterThanOrEqual(1);
      expect(s.hostEncodeMicrosPerStep).toBeGreaterThan(0);
      expect(s.hostEncodeMicrosPerStep).toBeLessThanOrEqual(s.hostMicrosPerStep);
      // The variants the engine picks for this adapter and size (not forced).
      expect(s.variants).toEqual(planRun(benchConfig({ n: s.n, d: s.d, m: s.m }), r.adapter.limits as unknown as GPUSupportedLimits, r.adapter).variants);
      expect(s.peers['cpu-f64']).toHaveProperty('stepSeconds');
      // TensorFlow.js ran the same step on the same device.
      expect(s.peers.tfjs).toHaveProperty('stepSeconds');
    }
    expect(r.scaling).toHaveLength(1);
    const md = readFileSync(join(dir, 'b.md'), 'utf8');
    // The note on software adapters, exactly when the adapter is one.
    expect(md.includes(`**${r.adapter.name}** (software adapter: timings are not GPU figures)`)).toBe(r.adapter.software);
    expect(md).toContain(`Adapter: **${r.adapter.name}**`);
    expect(md.split('\n').filter((l) => /^\| 64 \| 16 \| (256|512|1024) \|/.test(l)).length).toBe(9);
    expect(p.stdout).toBe(md);
  });
});

describe('shallow-gd bench --sweep', () => {
  it('reports run-steps/s of the batched engine for each batch size beside the single-run engine and the float64 reference, as JSON and markdown', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shallow-gd-bench-sweep-'));
    const args = ['bench', '--sweep', '--sizes', '8x2x4', '--batches', '1,3', '--steps', '30', '--json', join(dir, 's.json'), '--md', join(dir, 's.md')];
    const p = spawnSync(process.execPath, [join(__dirname, '../../bin/shallow-gd.mjs'), ...args], { encoding: 'utf8', timeout: 120_000 });
    expect(p.status, p.stderr).toBe(0);
    const r = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as SweepBenchReport;
    expect(r.rows.map((x) => [x.n, x.d, x.m, x.runs, x.steps])).toEqual([[8, 2, 4, 2, 30], [8, 2, 4, 2, 30], [8, 2, 4, 1, 30], [8, 2, 4, 3, 30]]);
    expect(r.rows.map((x) => x.engine)).toEqual(['float64 reference, one run at a time (1 core)', 'webgpu single-run engine, one run at a time', 'webgpu batched (resident)', 'webgpu batched (resident)']);
    for (const x of r.rows) expect(x.runStepsPerSecond).toBeCloseTo((x.runs * x.steps) / x.seconds, 6);
    expect(readFileSync(join(dir, 's.md'), 'utf8')).toContain('| 8 | 2 | 4 | webgpu batched (resident) | 3 | 30 |');
    // A size the batched engine refuses here: one line, exit 2, before any work.
    const refused = spawnSync(process.execPath, [join(__dirname, '../../bin/shallow-gd.mjs'), 'bench', '--sweep', '--sizes', '8x2x4,8000x16x4096', '--json', join(dir, 'r.json')], { encoding: 'utf8', timeout: 120_000 });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/^shallow-gd: --sizes 8000x16x4096: the batched engine takes no such run on this device \((a step too large for one workgroup|n > \d+, a workgroup's memory here)\)$/m);
    expect(existsSync(join(dir, 'r.json'))).toBe(false);
  });
});
