// The parts of a batched run's step that both schedules share (batch_train.wgsl: one workgroup
// per run; batch_spread.wgsl: a step spread over many workgroups per run): a block of samples'
// residuals, a block of neurons' gradients, statistics and updates, the loss's bookkeeping, a
// logged row. Each sums in a fixed order.

var<workgroup> stat_lane: array<array<f32, STAT_COUNT>, WG>;

/// r_i = κ f(x_i) − y_i for samples i0 + u·WG (u < BLOCK_ITEMS; entries past n are not to be
/// kept): each neuron's weights, read once, serve the block's samples. Per sample the neurons
/// are summed in order, the order of one at a time.
fn residual_block(run: BatchRun, i0: u32) -> array<f32, BLOCK_ITEMS> {
  let x = fixed_rows(run.x_off, i0, run.n);
  // Zeroed explicitly: SwiftShader keeps a bare `var` declared in a loop from one pass to the next.
  var acc = array<f32, BLOCK_ITEMS>();
  for (var j = 0u; j < run.m; j++) {
    var w: array<vec4<f32>, D4>;
    /* unroll */ for (var k = 0u; k < D4; k++) { w[k] = vars4[run.w_off + j * D4 + k]; }
    let aj = vars1[run.a_off + j];
    /* unroll */ for (var u = 0u; u < BLOCK_ITEMS; u++) {
      var z4 = vec4<f32>(0.0);
      /* unroll */ for (var k = 0u; k < D4; k++) { z4 += w[k] * x[u * D4 + k]; }
      let z = hsum(z4);
      if (z > 0.0) { acc[u] += aj * z; }
    }
  }
  var r = array<f32, BLOCK_ITEMS>();
  /* unroll */ for (var u = 0u; u < BLOCK_ITEMS; u++) {
    let i = block_item(i0, u, run.n);
    r[u] = run.kappa * acc[u] - fixed1[run.y_off + i];
  }
  return r;
}

/// Neurons j0 + u·WG (u < BLOCK_ITEMS, those below m): the gradients at the current point (the
/// weights sample_weight are the residual), then both updates when `update`; returns `acc_in`
/// with their statistics combined in, one neuron at a time, when `stats`.
fn neuron_block(run: BatchRun, j0: u32, update: bool, stats: bool, acc_in: array<f32, STAT_COUNT>) -> array<f32, STAT_COUNT> {
  var acc = acc_in;
  var w = w_rows(run, j0);
  var w0: BlockRows;
  if (stats) { w0 = fixed_rows(run.w0_off, j0, run.m); }
  let sums = batch_neurons(run, &w, &w0, stats);
  /* unroll */ for (var u = 0u; u < BLOCK_ITEMS; u++) {
    let j = j0 + u * WG;
    if (j < run.m) {
      var s = sums.s[u];
      let aj = vars1[run.a_off + j];
      if (stats) {
        /* unroll */ for (var k = 0u; k < D4; k++) {
          let dw = w[u * D4 + k] - w0[u * D4 + k];
          s.dw2 += dot(dw, dw);
          s.w02 += dot(w0[u * D4 + k], w0[u * D4 + k]);
          s.w2 += dot(w[u * D4 + k], w[u * D4 + k]);
          s.g2 += dot(sums.g[u * D4 + k], sums.g[u * D4 + k]);
        }
        acc = combine_stats(acc, neuron_stat_values(s, run.kappa, run.eta_w, run.eta_a, aj, fixed1[run.a0_off + j]));
      }
      if (update) {
        let cw = run.eta_w * run.kappa * aj;
        /* unroll */ for (var k = 0u; k < D4; k++) { vars4[run.w_off + j * D4 + k] = w[u * D4 + k] - cw * sums.g[u * D4 + k]; }
        vars1[run.a_off + j] = aj - run.eta_a * run.kappa * s.ga;
      }
    }
  }
  return acc;
}

/// The invocations' statistics combined over the workgroup by a fixed tree, into stat_lane[0]. Call in uniform control flow.
fn reduce_stats(lid: u32, acc: array<f32, STAT_COUNT>) {
  stat_lane[lid] = acc;
  for (var half = WG / 2u; half > 0u; half >>= 1u) {
    workgroupBarrier();
    if (lid < half) { stat_lane[lid] = combine_stats(stat_lane[lid], stat_lane[lid + half]); }
  }
  workgroupBarrier();
}

/// The state with the loss L of its current step taken in: L0 at step 0, the halting rule
/// (halt_rule.wgsl), the first step below eps·L0.
fn take_loss(run: BatchRun, state_in: BatchState, L: f32) -> BatchState {
  var st = state_in;
  if (st.step == 0u) { st.loss0 = L; }
  st.halt = halt_rule(L, st.loss0, run.eps, run.diverge_at, run.stop_at_eps == 1u);
  if (st.halt != HALT_DIVERGED && L < run.eps * st.loss0 && st.eps_step == 0u) { st.eps_step = st.step + 1u; }
  st.loss = L;
  return st;
}

/// The state moved past its current step: past it in the log where it was logged, and frozen
/// where the run ends (its closing record still to be measured by the monitor unless
/// `record_measured`), else at the next step.
fn step_on(state_in: BatchState, end: bool, logged_now: bool, record_measured: bool) -> BatchState {
  var st = state_in;
  if (logged_now) { st.log_index += 1u; }
  if (end) {
    st.done = 1u;
    st.record_measured = select(0u, 1u, record_measured);
  } else {
    st.step += 1u;
  }
  return st;
}

/// Whether the run ends at its current step: halted, or out of steps.
fn ends(run: BatchRun, st: BatchState) -> bool {
  return st.halt != HALT_RUNNING || st.step >= run.steps;
}

/// Run b's row `slot` of this submit: the state at st.step with its halt code, the statistics in
/// stat_lane[0] and the bits of its sharpness (BATCH_ROW_WORDS words).
fn write_row(b: u32, slot: u32, run: BatchRun, st: BatchState, sharpness: u32) {
  let v = state_values(stat_lane[0], st.loss, st.loss0, f32(run.n), f32(run.m));
  let o = (b * params.row_cap + slot) * BATCH_ROW_WORDS;
  rows[o] = st.step;
  rows[o + 1u] = st.halt;
  for (var k = 0u; k < STATE_COUNT; k++) { rows[o + 2u + k] = bitcast<u32>(v[k]); }
  rows[o + ROW_WORDS] = sharpness;
}
