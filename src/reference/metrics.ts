// Float64 twin of shaders/chunk_reduce.wgsl + metrics.wgsl: per-neuron statistics to one logged row.
import type { MetricValues } from '../train/metrics';
import { STAT, STAT_COUNT } from './neuron_stats';

export function metrics(stats: Float64Array, n: number, m: number, loss: number, loss0: number): MetricValues {
  const sum = new Float64Array(STAT_COUNT);
  let maxMove = 0;
  for (let j = 0; j < m; j++) {
    for (let c = 0; c < STAT_COUNT; c++) sum[c] += stats[j * STAT_COUNT + c];
    maxMove = Math.max(maxMove, stats[j * STAT_COUNT + STAT.move]);
  }
  return {
    loss,
    loss_ratio: loss / loss0,
    rel_move_w: sum[STAT.w02] > 0 ? Math.sqrt(sum[STAT.dW2] / sum[STAT.w02]) : 0,
    rel_move_a: sum[STAT.a02] > 0 ? Math.sqrt(sum[STAT.dA2] / sum[STAT.a02]) : 0,
    max_neuron_move: maxMove,
    flip_frac: sum[STAT.flips] / (n * m),
    dead_frac: (m - sum[STAT.active]) / m,
    grad_norm: Math.sqrt(sum[STAT.grad2]),
    loss_per_n: loss / n,
  };
}
