// The spread schedule of the batched engine, for runs with more samples than a workgroup's
// memory holds: each step takes three dispatches over every run of the batch, the single-run
// engine's schedule batched. spread_residual (a tile of BLOCK_ITEMS·WG samples per workgroup)
// writes r into vars1; spread_neurons (a tile of neurons per workgroup) takes L = ½‖r‖², the
// halting rule and the gradients from it, updates its neurons and leaves their statistics in
// vars1; spread_close (a workgroup per run) takes the same L, the tiles' statistics in tile
// order, writes the row and steps the run's state. spread_jt then spread_j are H v for the
// host's Lanczos (v in r's place, H v into row 1 of the run's basis). Every sum runs in a fixed
// order that depends only on the run and the adapter's workgroup size.

fn sample_weight(run: BatchRun, i: u32) -> f32 { return vars1[run.res_off + i]; }

/// The run that tile g of a spread dispatch belongs to (sample tiles, or neuron tiles where
/// `neurons`): the last whose first tile is at most g (runs are in tile order).
fn tile_run(g: u32, neurons: bool) -> u32 {
  var lo = 0u;
  var hi = arrayLength(&runs);
  while (hi - lo > 1u) {
    let mid = (lo + hi) / 2u;
    if (select(runs[mid].tile0, runs[mid].ntile0, neurons) <= g) { lo = mid; } else { hi = mid; }
  }
  return lo;
}

/// L = ½‖r‖² from r in vars1, in a fixed order: spread_neurons and spread_close get the same
/// bits. Call in uniform control flow.
fn run_loss(run: BatchRun, lid: u32) -> f32 {
  return 0.5 * sample_dot(run, lid, run.res_off, run.res_off);
}

@compute @workgroup_size(WG)
fn spread_residual(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = tile_run(wg.x, false);
  let run = runs[b];
  if (state[b].done == 1u) { return; }
  let i0 = (wg.x - run.tile0) * BLOCK_ITEMS * WG + lid;
  let r = residual_block(run, i0);
  for (var u = 0u; u < BLOCK_ITEMS; u++) {
    let i = i0 + u * WG;
    if (i < run.n) { vars1[run.res_off + i] = r[u]; }
  }
}

@compute @workgroup_size(WG)
fn spread_neurons(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = tile_run(wg.x, true);
  let run = runs[b];
  var st = load_state(b, lid);
  if (st.done == 1u) { return; }
  st = take_loss(run, st, run_loss(run, lid));
  let end = ends(run, st);
  // A row is written where the run ends or logs this step.
  let stats = end || at_logged_step(run, st);
  let tile = wg.x - run.ntile0;
  let acc = neuron_block(run, tile * BLOCK_ITEMS * WG + lid, !end, stats, array<f32, STAT_COUNT>());
  if (stats) {
    reduce_stats(lid, acc);
    if (lid == 0u) {
      for (var c = 0u; c < STAT_COUNT; c++) { vars1[run.part_off + tile * STAT_COUNT + c] = stat_lane[0][c]; }
    }
  }
}

@compute @workgroup_size(WG)
fn spread_close(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = wg.x;
  let run = runs[b];
  var st = begin_submit(load_state(b, lid));
  if (st.done == 0u) {
    st = take_loss(run, st, run_loss(run, lid));
    let end = ends(run, st);
    let logged_now = !end && at_logged_step(run, st);
    if ((end || logged_now) && lid == 0u) {
      var acc = array<f32, STAT_COUNT>();
      let tiles = (run.m + BLOCK_ITEMS * WG - 1u) / (BLOCK_ITEMS * WG);
      for (var t = 0u; t < tiles; t++) {
        var part: array<f32, STAT_COUNT>;
        for (var c = 0u; c < STAT_COUNT; c++) { part[c] = vars1[run.part_off + t * STAT_COUNT + c]; }
        acc = combine_stats(acc, part);
      }
      stat_lane[0] = acc;
      if (st.rows < params.row_cap) { write_row(b, st.rows, run, st, NAN_BITS); }
    }
    if (end || logged_now) { st.rows = min(st.rows + 1u, params.row_cap); }
    // Its monitor runs on the host.
    st = step_on(st, end, logged_now, true);
  }
  if (lid == 0u) { state[b] = st; }
}

@compute @workgroup_size(WG)
fn spread_jt(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = tile_run(wg.x, true);
  let run = runs[b];
  jt_block(run, (wg.x - run.ntile0) * BLOCK_ITEMS * WG + lid);
}

@compute @workgroup_size(WG)
fn spread_j(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = tile_run(wg.x, false);
  let run = runs[b];
  let i0 = (wg.x - run.tile0) * BLOCK_ITEMS * WG + lid;
  let hv = j_block(run, i0);
  for (var u = 0u; u < BLOCK_ITEMS; u++) {
    let i = i0 + u * WG;
    if (i < run.n) { vars1[run.q_off + run.n + i] = hv[u]; }
  }
}
