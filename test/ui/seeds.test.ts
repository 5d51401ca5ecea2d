// Median and quartiles across seeds.
import { describe, expect, test } from 'vitest';
import { METRIC_COLUMNS, type Row } from '../../src/model/metrics';
import { median, quartiles, seedsOf } from '../../src/ui/seeds';

/** A row whose every metric is `v`. */
function row(step: number, v: number): Row {
  return Object.fromEntries(METRIC_COLUMNS.map((c) => [c, c === 'step' ? step : v])) as Row;
}

describe('seeds', () => {
  test('median and quartiles at each step; a finished run stays at its last row, a running one counts only where it is', () => {
    const a = [row(0, 1), row(10, 2), row(20, 3)];
    const b = [row(0, 5), row(10, 6)]; // converged at step 10
    const c = [row(0, 9)]; // still running, at step 0
    const q = quartiles([a, b, c], [true, true, false]);
    expect(q.median.map((r) => r.step)).toEqual([0, 10, 20]);
    expect(q.median.map((r) => r.loss)).toEqual([5, 4, 4.5]);
    expect(q.lower.map((r) => r.loss)).toEqual([3, 3, 3.75]);
    expect(q.upper.map((r) => r.loss)).toEqual([7, 5, 5.25]);
    // Unmeasured columns (NaN) stay unmeasured.
    expect(quartiles([[{ ...row(0, 1), lambda_min: NaN }]], [true]).median[0].lambda_min).toBeNaN();
  });

  test('the seeds of a config: seed, seed + 1, … within 32 bits, the rest unchanged; the median of unsorted values', () => {
    expect(seedsOf({ seed: 7, m: 16 }, 3)).toEqual([{ seed: 7, m: 16 }, { seed: 8, m: 16 }, { seed: 9, m: 16 }]);
    expect(seedsOf({ seed: 2 ** 32 - 1 }, 2).map((c) => c.seed)).toEqual([2 ** 32 - 1, 0]);
    expect([median([3, 1, 2]), median([4, 1, 3, 2]), median([])]).toEqual([2, 2.5, NaN]);
  });
});
