// One neuron's sums behind the logged metrics and their STAT_* columns (twin: the per-neuron
// part of src/reference/neuron_stats.ts), apart from where the neuron lives: neuron_sums.wgsl
// writes them for a block, batch_train.wgsl reduces them for its run.

struct NeuronSums {
  dw2: f32,      // ‖w − w0‖²
  w02: f32,      // ‖w0‖²
  w2: f32,       // ‖w‖²
  g2: f32,       // ‖Σ_i r_i [z_i > 0] x_i‖² (times (κ a)² below)
  ga: f32,       // Σ_i r_i relu(z_i)
  flips: u32,
  is_active: u32,
}

/// STAT_GRAD2, ‖∇w‖² + (∇a)² = (κ a)² g2 + (κ ga)², from a neuron's g2 and ga (NeuronSums').
fn grad2_stat(g2: f32, ga: f32, kappa: f32, aj: f32) -> f32 {
  let ca = kappa * aj;
  let gaj = kappa * ga;
  return ca * ca * g2 + gaj * gaj;
}

/// The STAT_* columns of a neuron with output weight aj (a0j at step 0).
fn neuron_stat_values(s: NeuronSums, kappa: f32, eta_w: f32, eta_a: f32, aj: f32, a0j: f32) -> array<f32, STAT_COUNT> {
  var v: array<f32, STAT_COUNT>;
  let da = aj - a0j;
  v[STAT_DW2] = s.dw2;
  v[STAT_W02] = s.w02;
  v[STAT_DA2] = da * da;
  v[STAT_A02] = a0j * a0j;
  v[STAT_MOVE] = select(0.0, sqrt(s.dw2 / s.w02), s.w02 > 0.0);
  v[STAT_FLIPS] = f32(s.flips);
  v[STAT_ACTIVE] = f32(s.is_active);
  v[STAT_GRAD2] = grad2_stat(s.g2, s.ga, kappa, aj);
  // ‖w_r‖²/η_W − a_r²/η_a, conserved under gradient flow; a layer with rate 0 is left out.
  let iw = select(0.0, 1.0 / eta_w, eta_w > 0.0);
  let ia = select(0.0, 1.0 / eta_a, eta_a > 0.0);
  let scale = s.w02 * iw + a0j * a0j * ia;
  let drift = abs(s.w2 * iw - aj * aj * ia - (s.w02 * iw - a0j * a0j * ia));
  v[STAT_CONS] = select(0.0, drift / scale, scale > 0.0);
  return v;
}

/// Combines two partial reductions of column s over neurons: a maximum for MAX_STATS, else a sum.
fn combine_stat(s: u32, x: f32, y: f32) -> f32 {
  return select(x + y, max(x, y), stat_is_max(s));
}

/// combine_stat over every column.
fn combine_stats(x: array<f32, STAT_COUNT>, y: array<f32, STAT_COUNT>) -> array<f32, STAT_COUNT> {
  var v = x;
  for (var s = 0u; s < STAT_COUNT; s++) { v[s] = combine_stat(s, x[s], y[s]); }
  return v;
}
