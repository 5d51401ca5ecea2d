// Float64 twin of shaders/chunk_reduce.wgsl + metrics.wgsl: per-neuron statistics to one logged row.
import type { StateValues } from '../model/metrics';
import { MAX_STATS, STAT, STAT_COUNT } from '../model/constants';

export function metrics(stats: Float64Array, n: number, m: number, loss: number, loss0: number): StateValues {
  const sum = new Float64Array(STAT_COUNT);
  for (let j = 0; j < m; j++) {
    for (let c = 0; c < STAT_COUNT; c++) {
      const v = stats[j * STAT_COUNT + c];
      sum[c] = MAX_STATS.includes(c) ? Math.max(sum[c], v) : sum[c] + v;
    }
  }
  return {
    loss,
    loss_ratio: loss / loss0,
    rel_move_w: sum[STAT.w02] > 0 ? Math.sqrt(sum[STAT.dW2] / sum[STAT.w02]) : 0,
    rel_move_a: sum[STAT.a02] > 0 ? Math.sqrt(sum[STAT.dA2] / sum[STAT.a02]) : 0,
    max_neuron_move: sum[STAT.move],
    flip_frac: sum[STAT.flips] / (n * m),
    dead_frac: (m - sum[STAT.active]) / m,
    grad_norm: Math.sqrt(sum[STAT.grad2]),
    loss_per_n: loss / n,
    conserved_drift: sum[STAT.cons],
  };
}
