// One neuron's sums behind the logged metrics, and their record as its STAT_* columns.

struct NeuronSums {
  dw2: f32,      // ‖w − w0‖²
  w02: f32,      // ‖w0‖²
  w2: f32,       // ‖w‖²
  g2: f32,       // ‖Σ_i r_i [z_i > 0] x_i‖² (times (κ a)² below)
  ga: f32,       // Σ_i r_i relu(z_i)
  flips: u32,
  is_active: u32,
}

fn write_stats(j: u32, s: NeuronSums) {
  let ca = dims.kappa * a[j];
  let gaj = dims.kappa * s.ga;
  let da = a[j] - a0[j];
  let o = j * STAT_COUNT;
  stats[o + STAT_DW2] = s.dw2;
  stats[o + STAT_W02] = s.w02;
  stats[o + STAT_DA2] = da * da;
  stats[o + STAT_A02] = a0[j] * a0[j];
  stats[o + STAT_MOVE] = select(0.0, sqrt(s.dw2 / s.w02), s.w02 > 0.0);
  stats[o + STAT_FLIPS] = f32(s.flips);
  stats[o + STAT_ACTIVE] = f32(s.is_active);
  stats[o + STAT_GRAD2] = ca * ca * s.g2 + gaj * gaj;
  // ‖w_r‖²/η_W − a_r²/η_a, conserved under gradient flow; a layer with rate 0 is left out.
  let iw = select(0.0, 1.0 / dims.eta_w, dims.eta_w > 0.0);
  let ia = select(0.0, 1.0 / dims.eta_a, dims.eta_a > 0.0);
  let scale = s.w02 * iw + a0[j] * a0[j] * ia;
  let drift = abs(s.w2 * iw - a[j] * a[j] * ia - (s.w02 * iw - a0[j] * a0[j] * ia));
  stats[o + STAT_CONS] = select(0.0, drift / scale, scale > 0.0);
}
