// The report's numbers and sentences from synthetic records whose answers are known: each seed
// converges above its own threshold in m·d/n, so the critical width, its exponent in n, the
// success counts and the parting of the step-size curves follow from the rule that made them.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve';
import { buildConfig } from '../../src/config/schema';
import { NO_INSTRUMENTS, type Row } from '../../src/model/metrics';
import type { Tensors } from '../../src/model/engine';
import {
  CRITICAL_CSV, buildReport, csvName, kernelChange, kernelGap, peakSharpness, quantile, stillDescending, tableToCsv,
} from '../../src/report/data';
import type { SuiteRecord, SuiteResult } from '../../src/report/suite';
import { buildSuite, distinctRuns, type PlannedRun } from '../../src/report/suite';
import { fitPower } from '../../src/sweep/critical';
import { wilson } from '../../src/sweep/summary';
import { num } from '../../src/train/format';

/** The known law: seed s of n converges iff m·d/n ≥ T·(n/8)^(P−1)·spread(s), i.e. critical m ∝ n^P. */
const P = 1.5, T = 2;
const spreadOf = (seed: number) => 2 ** ((seed - 2) / 4);
const threshold = (n: number, seed: number) => T * (n / 8) ** (P - 1) * spreadOf(seed);

const row = (step: number, loss: number, more: Partial<Row> = {}): Row => ({
  step, loss, loss_ratio: loss, rel_move_w: 0.5, rel_move_a: 0.25, max_neuron_move: 1, flip_frac: 0.1, dead_frac: 0,
  grad_norm: 1, loss_per_n: loss, conserved_drift: 0.01, ...NO_INSTRUMENTS, ...more,
});

/**
 * A record for a planned run: converged by the law above; above c = 0.2 a run needs 3× the
 * rescaled time c·steps; the sharpness is 8c; the kernel prediction misses by 0.01·log₂ m.
 */
function record(run: PlannedRun): SuiteRecord {
  const s = run.settings;
  const x = (s.m * s.d) / s.n;
  const converged = x >= threshold(s.n, s.seed);
  const config = { ...resolveConfig(s), etaW: 0.1 * s.seed, etaA: 0.05 };
  // A failed run that is still descending when the budget ends: every third seed.
  const last = converged ? 1e-7 : s.seed % 3 === 0 ? 0.05 : 0.45;
  const rows = [row(0, 1), row(config.steps / 2, 0.5), row(config.steps, last, {
    lambda_max: s.spectrum ? 8 * s.rateFactor : NaN,
    loss_kernel: s.linearized ? last + 0.01 * Math.log2(s.m) : NaN,
  })];
  const time = s.rateFactor > 0.2 ? 300 : 100;
  return {
    id: run.id, settings: s, config, outcome: converged ? 'converged' : 'max_steps', converged, steps_done: config.steps,
    steps_to_eps: converged ? Math.round(time / s.rateFactor) : null, loss0: 1, final: rows[2], rows, wall_seconds: 0,
    // The stability monitor's peak, 8c as the synthetic rule has it.
    peak_sharpness: 8 * s.rateFactor, max_conserved_drift: null, loss_slope: null,
    budget: converged ? 'reached_eps' : s.seed % 3 === 0 ? 'still_descending' : 'stalled',
    backend: { kind: 'cpu', name: 'synthetic', software: false },
  };
}

function synthetic(): SuiteResult {
  const suite = buildSuite('tiny');
  const records = new Map(distinctRuns(suite).map((r) => [r.id, record(r)]));
  return { suite, backend: { kind: 'cpu', name: 'synthetic', software: false }, records, resumed: 0, interrupted: false, startedAt: new Date(0), wallSeconds: 1, workers: 1 };
}

const parse = (text: string) => {
  const [head, ...lines] = text.trimEnd().split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, j) => [cols[j], v])));
};

describe('the report from synthetic records', () => {
  const result = synthetic();
  const report = buildReport(result);
  const caption = (id: string) => report.data.charts.find((c) => c.id === id)!.caption;

  it('finds the critical width and its exponent from the records, and states them', () => {
    const table = parse(tableToCsv(report.tables[CRITICAL_CSV]));
    expect(Object.keys(table[0]).slice(0, 6)).toEqual(['n', 'd', 'seeds', 'critical_md_over_n', 'ci_low', 'ci_high']);
    expect(table.map((r) => Number(r.n))).toEqual(result.suite.params.critical.ns);
    for (const r of table) {
      const [x, lo, hi] = [r.critical_md_over_n, r.ci_low, r.ci_high].map(Number);
      // The median seed's threshold (seed 2 of 3) lies inside the interval.
      expect(lo).toBeLessThan(threshold(Number(r.n), 2) * 1.3);
      expect(hi).toBeGreaterThan(threshold(Number(r.n), 2) / 1.3);
      expect(lo).toBeLessThan(x);
      expect(x).toBeLessThan(hi);
      expect(Number(r.seeds)).toBe(result.suite.params.critical.seeds);
    }
    // The exponent is fitPower of the tabled crossings, and the summary line says so.
    const fit = fitPower(table.map((r) => ({ n: Number(r.n), y: Number(r.critical_m), ci: [Number(r.ci_low), Number(r.ci_high)].map((v) => (v * Number(r.n)) / Number(r.d)) as [number, number] })));
    expect(report.fit.exponent).toBeCloseTo(fit.exponent, 9);
    expect(report.fit.ci_low).toBeCloseTo(fit.ci[0], 9);
    const text = `critical m grows like n^p, p = ${num(fit.exponent)} ± ${num((fit.ci[1] - fit.ci[0]) / 2)}`;
    expect(report.data.headline.startsWith(text.replace(/^c/, 'C'))).toBe(true);
    expect(caption('critical')).toContain(text.replace(/^c/, 'C'));
    expect(report.fit.ci_low! < P && P < report.fit.ci_high!).toBe(true);
    // The tiny suite has 3 n: without the smallest, 2 are left, too few for a second fit.
    expect(caption('critical')).not.toContain('Without n =');
    // Failed runs of seed 3 were still descending: counted per n.
    const failed = [...result.records.values()].filter((r) => result.suite.experiments[0].runs.some((p) => p.id === r.id) && !r.converged);
    expect(caption('critical')).toContain(`${failed.filter(stillDescending).length} of the ${failed.length} runs that did not converge were still descending`);
  });

  it('counts success with Wilson intervals, and names per-seed rates in legends', () => {
    const labels = parse(tableToCsv(report.tables[csvName('labels')]));
    for (const r of labels) {
      const [lo, hi] = wilson(Number(r.converged), Number(r.runs));
      expect(Number(r.ci_low)).toBeCloseTo(lo, 12);
      expect(Number(r.ci_high)).toBeCloseTo(hi, 12);
    }
    const rates = report.data.charts.find((c) => c.id === 'rates')!;
    // etaW = 0.1·seed, etaA = 0.05: the auto ratio spans 2 (seed 1) to 4 (seed 2) over the tiny suite's 2 seeds.
    expect(rates.series.map((s) => s.label)).toContain('both, auto (η_W/η_a 2–4 over 4 runs)');
  });

  it('says where the step-size curves part from gradient flow, with the peak sharpness and the drift', () => {
    const text = caption('stepsize');
    // c = 0.5 needs 3× the rescaled time of c = 0.1 in the synthetic rule.
    expect(text).toContain('Taking c = 0.1 as gradient flow');
    expect(text).toContain('c = 0.5 parts at m·d/n = 4 (rescaled time c·steps ×3)');
    expect(text).toContain('the stability monitor');
    expect(text).toContain('c = 0.5 median 4, above 2 in 2/2 runs and c = 0.1 median 0.8, above 2 in 0/2 runs');
    expect(text).toContain('D_r = ‖w_r(0)‖²/η_W + a_r(0)²/η_a');
    // The monitor's field wins where records carry it; the logged --spectrum λ_max otherwise.
    const r = [...result.records.values()][0];
    expect(peakSharpness({ ...r, peak_sharpness: 1.5 } as SuiteRecord)).toEqual({ value: 1.5, from: 'record' });
    const rows = r.rows.map((x, k) => ({ ...x, lambda_max: k }));
    expect(peakSharpness({ ...r, peak_sharpness: null, rows })).toEqual({ value: rows.length - 1, from: 'spectrum' });
    expect(peakSharpness({ ...r, peak_sharpness: null, rows: r.rows.map((x) => ({ ...x, lambda_max: NaN })) })).toEqual({ value: null, from: null });
  });

  it('gives the kernel gap as one number per run and width', () => {
    const rows = parse(tableToCsv(report.tables[csvName('kernel')]));
    for (const r of rows) {
      const rec = [...result.records.values()].find((x) => x.settings.linearized && x.settings.m === Number(r.m) && x.settings.seed === Number(r.seed) && r.labels === x.settings.labels.kind)!;
      expect(Number(r.gap)).toBeCloseTo(kernelGap(rec)!, 12);
      expect(kernelGap(rec)).toBeCloseTo(0.01 * Math.log2(rec.settings.m), 12);
    }
    expect(caption('kernel')).toContain(`sign ${num(0.01 * 4)} at m = 16`);
  });

  it('measures the kernel change from tensors: 0 unmoved, 3 when a doubles with only W trained', () => {
    const c = resolveConfig(buildConfig({ n: 5, d: 3, m: 4, seed: 1 }));
    const f = (k: number, len: number) => Float32Array.from({ length: len }, (_, j) => Math.sin(1 + k * 7 + j * 3.1));
    const t: Tensors = { X: f(1, 15), y: f(2, 5), W0: f(3, 12), a0: f(4, 4), W: f(3, 12), a: f(4, 4) };
    const rec = (tensors: Tensors, etaA: number) => ({ settings: c, config: { ...c, etaW: 0.3, etaA }, tensors }) as unknown as SuiteRecord;
    expect(kernelChange(rec(t, 0.2))).toBe(0);
    expect(kernelChange(rec({ ...t, a: t.a0.map((v) => 2 * v) }, 0))).toBeCloseTo(3, 6);
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([4, 1, 3, 2], 0.25)).toBe(1.75);
  });
});
