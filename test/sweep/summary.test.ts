import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve';
import { buildConfig } from '../../src/config/schema';
import { median, summarizeSweep, summaryText, thresholdsMet, wilson, type SummaryInput } from '../../src/sweep/summary';

/** A finished run: converged at `steps`, or not (null). */
function run(given: Record<string, unknown>, steps: number | null): SummaryInput {
  const settings = buildConfig(given);
  return { settings, config: resolveConfig(settings), converged: steps !== null, steps_to_eps: steps };
}

describe('summaries', () => {
  it('places widths against the thresholds of MODEL.md', () => {
    // n = 16, d = 2: m(d+1) ≥ n from m = 16/3, m·d ≥ n² from 128, m ≥ n² from 256.
    expect([1, 5, 6, 127, 128, 255, 256].map((m) => thresholdsMet(m, 16, 2))).toEqual([0, 0, 1, 1, 2, 2, 3]);
    // Equality counts: m(d+1) = n exactly.
    expect(thresholdsMet(4, 12, 2)).toBe(1);
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
  });

  it('gives success over seeds and median steps to eps per m·d/n, in order', () => {
    const steps: Record<number, (number | null)[]> = { 256: [10, 20, 30, 40], 2: [null, null, null, null], 128: [50, null, 70, 90], 8: [null, 100, null, 300] };
    const records = Object.entries(steps).flatMap(([m, s]) => s.map((st, k) => run({ n: 16, d: 2, m: Number(m), seed: k + 1 }, st)));
    const s = summarizeSweep(records);
    expect(s.runs).toBe(16);
    expect(s.converged).toBe(9);
    expect(s.varying).toEqual(['m', 'seed']);
    expect(s.rows.map((r) => [r.m, r.md_over_n, r.runs, r.success, r.median_steps_to_eps, r.thresholds_met])).toEqual([
      [2, 0.25, 4, 0, null, 0],
      [8, 1, 4, 0.5, 200, 1],
      [128, 16, 4, 0.75, 70, 2],
      [256, 32, 4, 1, 25, 3],
    ]);
    expect(s.rows[1].settings).toEqual({ m: '8' });
    expect(s.thresholds!.map((t) => t.md_over_n)).toEqual([2 / 3, 16, 32]);
    // Only m varies and auto rates are one per m: no second axis for a phase diagram.
    expect(s.phase).toBeNull();
    const text = summaryText(s);
    expect(text).toMatch(/^16 runs, 9 converged/);
    expect(text).toContain('at n=16 d=2 they fall at m·d/n = 0.6667 (P), 16 (O), 32 (N)');
    const lines = text.split('\n');
    const header = lines.findIndex((l) => l.startsWith('m·d/n'));
    expect(lines[header].split(/\s{2,}/)).toEqual(['m·d/n', 'm', 'runs', 'success', 'median steps', 'thresholds']);
    expect(lines.slice(header + 1, header + 5).map((l) => l.split(/\s{2,}/))).toEqual([
      ['0.25', '2', '4', '0.00 [0.00, 0.49] (0/4)', '—', '-'],
      ['1', '8', '4', '0.50 [0.15, 0.85] (2/4)', '200', 'P'],
      ['16', '128', '4', '0.75 [0.30, 0.95] (3/4)', '70', 'PO'],
      ['32', '256', '4', '1.00 [0.51, 1.00] (4/4)', '25', 'PON'],
    ]);
  });

  it('draws a phase diagram over m × n, groups by every other varying setting, and pools what the diagram does not show', () => {
    const records = [
      run({ n: 8, d: 2, m: 4, seed: 1, steps: 10 }, 5), run({ n: 8, d: 2, m: 4, seed: 2, steps: 10 }, null),
      run({ n: 8, d: 2, m: 4, seed: 1, steps: 20 }, 7),
      run({ n: 16, d: 2, m: 4, seed: 1, steps: 10 }, null),
      run({ n: 16, d: 2, m: 128, seed: 1, steps: 10 }, 3),
    ];
    const s = summarizeSweep(records);
    expect(s.varying).toEqual(['n', 'm', 'steps', 'seed']);
    expect(s.thresholds).toBeNull();
    expect(s.rows.map((r) => [r.settings, r.runs, r.success])).toEqual([
      [{ n: '16', m: '4', steps: '10' }, 1, 0],
      [{ n: '8', m: '4', steps: '10' }, 2, 0.5],
      [{ n: '8', m: '4', steps: '20' }, 1, 1],
      [{ n: '16', m: '128', steps: '10' }, 1, 1],
    ]);
    expect(s.phase).toEqual({
      columns: 'n', m: [4, 128], values: [8, 16], pooled: ['steps'],
      cells: [
        [{ runs: 3, success: 2 / 3, success_ci: wilson(2, 3), thresholds_met: 1 }, { runs: 1, success: 0, success_ci: wilson(0, 1), thresholds_met: 0 }],
        [null, { runs: 1, success: 1, success_ci: wilson(1, 1), thresholds_met: 2 }],
      ],
    });
    const text = summaryText(s);
    expect(text).toContain('phase diagram: success over m (rows) × n (columns), each cell marked with the thresholds its runs meet; pooled over steps');
    expect(text).toMatch(/^m \\ n\s+8\s+16$/m);
    expect(text).toMatch(/^4\s+0\.67 \[0\.21, 0\.94\] P\s+0\.00 \[0\.00, 0\.79\] -$/m);
    expect(text).toMatch(/^128\s+·\s+1\.00 \[0\.21, 1\.00\] PO$/m);
  });

  it('uses the rate ratio as the second axis when it varies at a fixed m', () => {
    const records = [0.1, 0.2].flatMap((etaW) =>
      [8, 64].map((m) => run({ n: 16, d: 4, m, etaW, etaA: 0.05 }, m === 64 || etaW === 0.1 ? 12 : null)));
    const s = summarizeSweep(records);
    expect(s.phase).toMatchObject({ columns: 'etaW/etaA', m: [8, 64], values: [2, 4], pooled: [] });
    expect(s.phase!.cells.map((row) => row.map((c) => c!.success))).toEqual([[1, 0], [1, 1]]);
  });

  it('bins the rate ratio: one column where both rates are automatic, log-spaced bins where one is', () => {
    // Both auto: the ratio differs from seed to seed (λ measured per seed), which is no second axis.
    const auto = [8, 64].flatMap((m) => [1, 2, 3].map((seed) => run({ n: 16, d: 4, m, seed }, 10)));
    expect(summarizeSweep(auto).phase).toBeNull();
    // etaW auto, etaA given at two values a decade apart: two columns, whatever the seed.
    const oneAuto = [8, 64].flatMap((m) => [0.001, 0.01].flatMap((etaA) => [1, 2, 3].map((seed) => run({ n: 16, d: 4, m, seed, etaA }, etaA === 0.01 ? 10 : null))));
    const p = summarizeSweep(oneAuto).phase!;
    expect(p.columns).toBe('etaW/etaA');
    // Each m's two rate settings, each in one bin over its three seeds.
    expect(p.cells.map((row) => row.filter((c) => c).map((c) => c!.runs))).toEqual([[3, 3], [3, 3]]);
  });

  it('gives Wilson intervals: inside [0, 1], not empty at 0 or all successes', () => {
    expect(wilson(0, 10).map((x) => Number(x.toFixed(4)))).toEqual([0, 0.2775]);
    expect(wilson(5, 10).map((x) => Number(x.toFixed(4)))).toEqual([0.2366, 0.7634]);
    expect(wilson(10, 10).map((x) => Number(x.toFixed(4)))).toEqual([0.7225, 1]);
    expect(wilson(0, 0)).toEqual([0, 1]);
  });

  it('gives the critical width per n, and how the critical m grows with n', () => {
    // Success exactly where m ≥ n²/8: the critical m is n²/8, its exponent 2.
    const records = [8, 16, 32].flatMap((n) => [2, 4, 8, 16, 32, 64, 128, 256].flatMap((m) =>
      [1, 2, 3].map((seed) => run({ n, d: 4, m, seed }, m >= (n * n) / 8 ? 10 : null))));
    const s = summarizeSweep(records);
    expect(s.critical.map((r) => r.n)).toEqual([8, 16, 32]);
    for (const r of s.critical) {
      // Between the widest failure and the narrowest success, in m·d/n.
      const mc = (r.n * r.n) / 8;
      expect(r.half!.x).toBeGreaterThan(((mc / 2) * r.d) / r.n);
      expect(r.half!.x).toBeLessThan((mc * r.d) / r.n);
      expect(r.ninety!.x).toBeGreaterThan(r.half!.x);
    }
    expect(s.criticalExponent!.exponent).toBeCloseTo(2, 6);
    expect(summaryText(s)).toMatch(/^critical m grows like n\^p: p = 2 \[[\d.]+, [\d.]+\]$/m);
    // Two widths are too few to fit a crossing.
    expect(summarizeSweep(records.filter((r) => r.settings.m <= 4)).critical).toEqual([]);
  });
});
