// Median and quartiles across seeds.
import { describe, expect, test } from 'vitest';
import { METRIC_COLUMNS, type Row } from '../../src/model/metrics';
import { quartiles } from '../../src/ui/seeds';

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
});
