// Many runs at once: workgroup b trains run b of the batch for up to params.count steps per
// submit, with barriers between the phases of a step and no host round trip. A step is the
// single-run engine's: the residual and L = ½‖r‖² at the current state, the halting rule
// (halt_rule.wgsl), the state's row where the step is logged (or where the run ends: the
// closing record, with the rule applied at that state), then both layers' updates from the
// gradients at the same point. Where the stability monitor measures a logged step, the
// dispatch stops before it; batch_monitor.wgsl, dispatched next in the same submit, measures
// the state, and the next dispatch writes the sharpness in the step's row and goes on. Every sum runs in a fixed order within the run's workgroup, so a
// run's bits depend on neither the batch's size nor its other runs (src/gpu/batch.ts packs
// runs of one D4 per batch). r lives in workgroup memory (n ≤ RN); X, W0, y, a0 are
// read only; W and a are the run's parameters, in vars4 and vars1 beside its scratch.

var<workgroup> stat_lane: array<array<f32, STAT_COUNT>, WG>;

/// r = f − y into r_sh and L = ½‖r‖². Thread l takes samples l, l + WG, … in blocks of BLOCK_ITEMS
/// (layout.ts blockItems): each neuron's weights, read once, serve the block's samples. Per
/// sample the neurons are summed in order, per thread its samples: the order of one at a time.
fn residual_loss(run: BatchRun, lid: u32) -> f32 {
  var s = 0.0;
  for (var i0 = lid; i0 < run.n; i0 += BLOCK_ITEMS * WG) {
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
    /* unroll */ for (var u = 0u; u < BLOCK_ITEMS; u++) {
      let i = i0 + u * WG;
      if (i < run.n) {
        let ri = run.kappa * acc[u] - fixed1[run.y_off + i];
        r_sh[i] = ri;
        s += ri * ri;
      }
    }
  }
  lane[lid] = s;
  return 0.5 * lane_sum(lid);
}

/// Thread l takes neurons l, l + WG, … in blocks of BLOCK_ITEMS (batch_neuron.wgsl): the
/// gradients at the current point, the neurons' statistics into stat_lane (reduced over the
/// workgroup, in the order of one neuron at a time) when `stats`, then both updates when
/// `update`. Call in uniform control flow.
fn neurons(run: BatchRun, lid: u32, update: bool, stats: bool) {
  var acc: array<f32, STAT_COUNT>;
  for (var j0 = lid; j0 < run.m; j0 += BLOCK_ITEMS * WG) {
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
  }
  if (stats) {
    stat_lane[lid] = acc;
    for (var half = WG / 2u; half > 0u; half >>= 1u) {
      workgroupBarrier();
      if (lid < half) { stat_lane[lid] = combine_stats(stat_lane[lid], stat_lane[lid + half]); }
    }
    workgroupBarrier();
  }
}

/// Run b's row `slot` of this dispatch: the state at st.step with its halt code and the bits of
/// its sharpness (BATCH_ROW_WORDS words).
fn write_row(b: u32, slot: u32, run: BatchRun, st: BatchState, sharpness: u32) {
  let v = state_values(stat_lane[0], st.loss, st.loss0, f32(run.n), f32(run.m));
  let o = (b * params.row_cap + slot) * BATCH_ROW_WORDS;
  rows[o] = st.step;
  rows[o + 1u] = st.halt;
  for (var k = 0u; k < STATE_COUNT; k++) { rows[o + 2u + k] = bitcast<u32>(v[k]); }
  rows[o + ROW_WORDS] = sharpness;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = wg.x;
  let run = runs[b];
  var st = load_state(b, lid);
  // The submit's first dispatch gives the run its steps and its rows.
  if (st.epoch != params.epoch) {
    st.epoch = params.epoch;
    st.left = params.count;
    st.rows = 0u;
  }
  var written = st.rows;
  for (; st.left > 0u && st.done == 0u; st.left--) {
    // batch_monitor.wgsl measures this state before its step goes on.
    if (awaits_monitor(run, st)) { break; }
    let logged_next = at_logged_step(run, st);
    let measured = st.measured_at == st.step + 1u;
    let L = residual_loss(run, lid);
    // Every read of W and a by the residual comes before any update below.
    storageBarrier();
    if (st.step == 0u) { st.loss0 = L; }
    st.halt = halt_rule(L, st.loss0, run.eps, run.diverge_at, run.stop_at_eps == 1u);
    if (st.halt != HALT_DIVERGED && L < run.eps * st.loss0 && st.eps_step == 0u) { st.eps_step = st.step + 1u; }
    st.loss = L;
    let end = st.halt != HALT_RUNNING || st.step >= run.steps;
    let logged_now = !end && logged_next;
    neurons(run, lid, !end, end || logged_now);
    if (end || logged_now) {
      let sharpness = select(NAN_BITS, bitcast<u32>(st.sharpness), measured);
      if (lid == 0u && written < params.row_cap) { write_row(b, written, run, st, sharpness); }
      written += 1u;
    }
    if (logged_now) { st.log_index += 1u; }
    if (end) {
      st.done = 1u;
      // The monitor measures the closing record's state next, unless it has (a logged step's)
      // or is off, or the state diverged (its products may overflow).
      st.record_measured = select(0u, 1u, measured || run.products == 0u || st.halt == HALT_DIVERGED);
    } else {
      st.step += 1u;
    }
    // The updates are in place before the next step's residual reads them.
    storageBarrier();
  }
  if (lid == 0u) {
    st.rows = min(written, params.row_cap);
    state[b] = st;
  }
}
