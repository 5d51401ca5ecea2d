// A logged row's STATE_COLUMNS (src/model/metrics.ts, twin: src/reference/metrics.ts) from
// the per-neuron statistics reduced over neurons (sums, maxima for MAX_STATS).

fn state_values(t: array<f32, STAT_COUNT>, L: f32, L0: f32, n: f32, m: f32) -> array<f32, STATE_COUNT> {
  var v: array<f32, STATE_COUNT>;
  v[0] = L;
  v[1] = L / L0;
  v[2] = select(0.0, sqrt(t[STAT_DW2] / t[STAT_W02]), t[STAT_W02] > 0.0);
  v[3] = select(0.0, sqrt(t[STAT_DA2] / t[STAT_A02]), t[STAT_A02] > 0.0);
  v[4] = t[STAT_MOVE];
  v[5] = t[STAT_FLIPS] / (n * m);
  v[6] = (m - t[STAT_ACTIVE]) / m;
  v[7] = sqrt(t[STAT_GRAD2]);
  v[8] = L / n;
  v[9] = t[STAT_CONS];
  return v;
}
