// A block's neuron's sums recorded as its STAT_* columns (shaders/neuron_stat.wgsl).

fn write_stats(j: u32, s: NeuronSums) {
  let v = neuron_stat_values(s, dims.kappa, dims.eta_w, dims.eta_a, a[j], a0[j]);
  for (var c = 0u; c < STAT_COUNT; c++) { stats[j * STAT_COUNT + c] = v[c]; }
}
