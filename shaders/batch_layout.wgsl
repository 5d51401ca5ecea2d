// The batch's per-run records (host layouts: src/gpu/kernels/batch_train.ts), shared by every
// batch kernel; workgroups of WG invocations (WG: a power of 2, the adapter's choice,
// src/gpu/batch.ts batchWorkgroup), and their sum over lanes.
// A run's arrays live in four buffers: fixed4 and fixed1 (read only, vec4s and floats) and
// vars4 and vars1 (its parameters and its scratch, vec4s and floats).

override WG: u32 = 64u;

struct BatchParams {
  count: u32,     // steps this submit may apply to each running run (its closing record takes one)
  row_cap: u32,   // rows each run may write per submit
  epoch: u32,     // the submit's number: a run's first dispatch of a new one resets its counters
  _pad0: u32,
}

// One run's sizes, settings and where its arrays start (in vec4s for X, W0, W, G; in floats for the others).
struct BatchRun {
  n: u32,
  m: u32,
  steps: u32,        // the step budget T
  log_count: u32,    // logged steps (< T) in `logged` from log_off, in increasing order
  x_off: u32,
  w0_off: u32,
  w_off: u32,
  y_off: u32,
  a0_off: u32,
  a_off: u32,
  log_off: u32,
  stop_at_eps: u32,
  kappa: f32,
  eta_w: f32,
  eta_a: f32,
  eps: f32,
  diverge_at: f32,
  g_off: u32,        // vars4: Jᵀv per neuron, the tangent product's scratch (m rows)
  ga_off: u32,       // vars1: its part for a (m)
  s0_off: u32,       // fixed1: the monitor's seeded start vector (n)
  ritz_off: u32,     // vars1: the monitor's warm start, its last top Ritz vector (n)
  q_off: u32,        // vars1: max(products, 1) + 1 rows of n, the Lanczos basis (a product: v in row 0, H v in row 1)
  tri_off: u32,      // vars1: 4·products, T's diagonal and off-diagonal, its top eigenvector, the solver's scratch
  products: u32,     // the stability monitor's products per measurement (0: off, or on the host)
  res_off: u32,      // vars1, spread schedule: the residual of the step (or the host's v) (n)
  part_off: u32,     // vars1, spread schedule: each neuron tile's statistics (STAT_COUNT per tile)
  tile0: u32,        // spread schedule: the run's first sample tile in the batch's dispatch
  ntile0: u32,       // spread schedule: its first neuron tile
  monitor_chunk: u32, // the most monitor products per dispatch (src/gpu/batch.ts monitorChunk)
}

// What a run carries from one dispatch to the next (the host reads it back with the rows).
struct BatchState {
  step: u32,
  halt: u32,
  eps_step: u32,         // 1 + the first step with L < eps·L0; 0 while not reached
  log_index: u32,        // logged steps passed so far
  done: u32,             // 1 once the closing record is written: the run is frozen
  rows: u32,             // rows written in this submit
  loss: f32,             // L at the last state checked
  loss0: f32,
  epoch: u32,            // the submit that `left` and `rows` count for
  left: u32,             // steps this submit may still apply
  measured_at: u32,      // 1 + the step whose state batch_monitor.wgsl measured `sharpness` at; 0: none
  sharpness: f32,
  record_measured: u32,  // 1 once the closing record has its sharpness, or is not to be measured
  lz_j: u32,             // products of the monitor's measurement in progress (0: none)
  lz_top: f32,           // its last λ_max of T
}

/** The bits written where a value was not measured (NaN: a literal NaN is not valid WGSL). */
const NAN_BITS: u32 = 0x7fc00000u;

var<workgroup> lane: array<f32, WG>;

/// Σ over the lanes' `lane` values by a fixed tree, returned to every invocation. Call in uniform control flow.
fn lane_sum(lid: u32) -> f32 {
  for (var half = WG / 2u; half > 0u; half >>= 1u) {
    workgroupBarrier();
    if (lid < half) { lane[lid] += lane[lid + half]; }
  }
  return workgroupUniformLoad(&lane[0]);
}

/// Σ_i vars1[x + i]·vars1[y + i] over the run's samples, to every invocation: thread l sums
/// samples l, l + WG, … in order, then the lanes by lane_sum. Call in uniform control flow.
fn sample_dot(run: BatchRun, lid: u32, x: u32, y: u32) -> f32 {
  var s = 0.0;
  for (var i = lid; i < run.n; i += WG) { s += vars1[x + i] * vars1[y + i]; }
  lane[lid] = s;
  return lane_sum(lid);
}
