// Many runs at once, the resident schedule: workgroup b trains run b of the batch for up to
// params.count steps per submit, with barriers between the phases of a step and no host round
// trip. A step is the single-run engine's: the residual and L = ½‖r‖² at the current state, the
// halting rule (halt_rule.wgsl), the state's row where the step is logged (or where the run
// ends: the closing record, with the rule applied at that state), then both layers' updates
// from the gradients at the same point (batch_step.wgsl). Where the stability monitor measures a
// logged step, the dispatch stops before it; batch_monitor.wgsl, dispatched next in the same
// submit, measures the state, and the next dispatch writes the sharpness in the step's row and
// goes on. Every sum runs in a fixed order within the run's workgroup, so a run's bits depend on
// neither the batch's size nor its other runs (src/gpu/batch.ts packs runs of one D4 per
// batch). r lives in workgroup memory (n ≤ RN); X, W0, y, a0 are read only; W and a are the
// run's parameters, in vars4 and vars1 beside its scratch.

/// r = f − y into r_sh and L = ½‖r‖². Thread l takes samples l, l + WG, … in blocks of
/// BLOCK_ITEMS (layout.ts blockItems), and sums its samples' squares in order.
fn residual_loss(run: BatchRun, lid: u32) -> f32 {
  var s = 0.0;
  for (var i0 = lid; i0 < run.n; i0 += BLOCK_ITEMS * WG) {
    let r = residual_block(run, i0);
    /* unroll */ for (var u = 0u; u < BLOCK_ITEMS; u++) {
      let i = i0 + u * WG;
      if (i < run.n) {
        r_sh[i] = r[u];
        s += r[u] * r[u];
      }
    }
  }
  lane[lid] = s;
  return 0.5 * lane_sum(lid);
}

/// Thread l takes neurons l, l + WG, … in blocks of BLOCK_ITEMS (batch_step.wgsl neuron_block);
/// their statistics go to stat_lane[0] when `stats`. Call in uniform control flow.
fn neurons(run: BatchRun, lid: u32, update: bool, stats: bool) {
  var acc = array<f32, STAT_COUNT>();
  for (var j0 = lid; j0 < run.m; j0 += BLOCK_ITEMS * WG) { acc = neuron_block(run, j0, update, stats, acc); }
  if (stats) { reduce_stats(lid, acc); }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = wg.x;
  let run = runs[b];
  var st = begin_submit(load_state(b, lid));
  var written = st.rows;
  for (; st.left > 0u && st.done == 0u; st.left--) {
    // batch_monitor.wgsl measures this state before its step goes on.
    if (awaits_monitor(run, st)) { break; }
    let logged_next = at_logged_step(run, st);
    let measured = st.measured_at == st.step + 1u;
    let L = residual_loss(run, lid);
    // Every read of W and a by the residual comes before any update below.
    storageBarrier();
    st = take_loss(run, st, L);
    let end = ends(run, st);
    let logged_now = !end && logged_next;
    neurons(run, lid, !end, end || logged_now);
    if (end || logged_now) {
      let sharpness = select(NAN_BITS, bitcast<u32>(st.sharpness), measured);
      if (lid == 0u && written < params.row_cap) { write_row(b, written, run, st, sharpness); }
      written += 1u;
    }
    // The monitor measures the closing record's state next, unless it has (a logged step's)
    // or is off, or the state diverged (its products may overflow). A record past the row cap
    // (the host keeps below it) is not written, hence not measured.
    st = step_on(st, end, logged_now, measured || run.products == 0u || st.halt == HALT_DIVERGED || written > params.row_cap);
    // The updates are in place before the next step's residual reads them, and every read of
    // r_sh before the next residual's writes.
    storageBarrier();
    workgroupBarrier();
  }
  if (lid == 0u) {
    st.rows = min(written, params.row_cap);
    state[b] = st;
  }
}
