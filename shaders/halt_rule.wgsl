// The halting rule on a loss (twin: haltCode() in src/reference/loss.ts), apart from where
// its settings live: halting.wgsl takes them from Dims, batch_train.wgsl from each run's record.

fn is_finite(x: f32) -> bool {
  // Checked on the bits: compilers may assume floats are finite in comparisons.
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

/// Diverged when L is not finite or L > diverge_at·L0; converged when L < eps·L0 and stop_at_eps.
fn halt_rule(L: f32, L0: f32, eps: f32, diverge_at: f32, stop_at_eps: bool) -> u32 {
  if (!is_finite(L) || L > diverge_at * L0) { return HALT_DIVERGED; }
  if (stop_at_eps && L < eps * L0) { return HALT_CONVERGED; }
  return HALT_RUNNING;
}
