// `shallow-gd sweep` on the batched WebGPU engine: the records the float64 reference writes, and resuming.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sweepCommand } from '../../src/cli/sweep';
import type { SweepRecord } from '../../src/sweep/record';

const PROBLEM = ['--n', '8', '--d', '2', '--steps', '300', '--rate-factor', '0.1', '--grid', 'm=2..16:x2', '--grid', 'seed=1..3'];
const records = (path: string) => new Map(readFileSync(path, 'utf8').trim().split('\n').map((l) => {
  const r = JSON.parse(l) as SweepRecord;
  return [r.id, r];
}));

let err: string[];
beforeEach(() => {
  err = [];
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

describe('shallow-gd sweep --batch', () => {
  it('trains the grid at once and writes the records the float64 reference writes; rerunning runs nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shallow-gd-batch-'));
    const batched = join(dir, 'batched.jsonl'), cpu = join(dir, 'cpu.jsonl');
    expect(await sweepCommand([...PROBLEM, '--backend', 'webgpu', '--batch', 'auto', '--out', batched])).toBe(0);
    expect(err.join('')).toMatch(/batched engine: 12 runs/);
    expect(await sweepCommand([...PROBLEM, '--backend', 'cpu', '--workers', '1', '--out', cpu])).toBe(0);
    const got = records(batched), want = records(cpu);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [id, w] of want) {
      const g = got.get(id)!;
      // Rates are fixed on the reference for both: the same numbers.
      expect(g.config.etaW, id).toBe(w.config.etaW);
      expect(g.config.etaA, id).toBe(w.config.etaA);
      expect(g.outcome, id).toBe(w.outcome);
      expect(g.steps_done, id).toBe(w.steps_done);
      expect(Math.abs(g.final.loss - w.final.loss) / w.final.loss, id).toBeLessThan(1e-3);
      expect(g.backend.kind).toBe('webgpu');
    }
    err = [];
    expect(await sweepCommand([...PROBLEM, '--backend', 'webgpu', '--out', batched])).toBe(0);
    expect(err.join('')).toMatch(/12 already in .*, 0 to run/);
    // The built command prepares the batch on its worker threads: the same records but for their timings.
    const pooled = join(dir, 'pooled.jsonl');
    const cli = spawnSync(process.execPath, [join(__dirname, '../../bin/shallow-gd.mjs'), 'sweep', ...PROBLEM, '--backend', 'webgpu', '--workers', '2', '--batch', '4', '--out', pooled], { encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stderr).toMatch(/batch 2\/3: preparing 4 runs \(initialization on the float64 reference\), while batch 1 trains/);
    const untimed = (m: Map<string, SweepRecord>) => [...m.values()].map(({ wall_seconds: _, ...r }) => r).sort((x, y) => x.id.localeCompare(y.id));
    expect(untimed(records(pooled))).toEqual(untimed(got));
  });

  it('refuses a batch size that is not auto, off or a whole number from 1 to 65535', async () => {
    await expect(sweepCommand([...PROBLEM, '--batch', '0', '--out', '/tmp/x.jsonl'])).rejects.toThrow(/--batch must be auto, off, or a whole number/);
  });
});
