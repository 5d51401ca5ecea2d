// Several seeds of one config, run together on the batched engine or one after another: drawn
// as the median of each metric with its quartiles as a band, and counted as a success fraction.
import { METRIC_COLUMNS, type Row } from '../model/metrics';

/** The `count` seeds a seeds setting runs: seed, seed + 1, … of the same config. */
export function seedsOf<C extends { seed: number }>(c: C, count: number): C[] {
  return Array.from({ length: count }, (_, k) => ({ ...c, seed: (c.seed + k) % 2 ** 32 }));
}

export interface Quartiles {
  median: Row[];
  lower: Row[];
  upper: Row[];
}

/** The q-quantile of sorted values, interpolated between neighbours (q = 0.5: the median). */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (at - lo);
}

/** The median of unsorted values (NaN for none). */
export function median(values: readonly number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

/**
 * Median and quartiles across runs at every step any of them logged. A run that ended before a
 * step (it converged or diverged) counts with its last row: it stays where it stopped. Steps a
 * run has not reached yet (still running) count only the runs that have.
 */
export function quartiles(runs: readonly (readonly Row[])[], finished: readonly boolean[]): Quartiles {
  const steps = [...new Set(runs.flatMap((rows) => rows.map((r) => r.step)))].sort((a, b) => a - b);
  const out: Quartiles = { median: [], lower: [], upper: [] };
  const next = runs.map(() => 0);
  for (const step of steps) {
    const at: Row[] = [];
    runs.forEach((rows, k) => {
      while (next[k] < rows.length && rows[next[k]].step <= step) next[k]++;
      const last = rows[next[k] - 1];
      if (last && (last.step === step || finished[k] || next[k] < rows.length)) at.push(last);
    });
    const [median, lower, upper] = [{ step }, { step }, { step }] as Record<string, number>[];
    for (const col of METRIC_COLUMNS) {
      if (col === 'step') continue;
      const values = at.map((r) => r[col]).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
      median[col] = quantile(values, 0.5);
      lower[col] = quantile(values, 0.25);
      upper[col] = quantile(values, 0.75);
    }
    out.median.push(median as Row);
    out.lower.push(lower as Row);
    out.upper.push(upper as Row);
  }
  return out;
}
