// The batch's per-run records (host layouts: src/gpu/kernels/batch_train.ts), shared by
// batch_train.wgsl and batch_tangent.wgsl; one workgroup of WG invocations per run (WG: a
// power of 2, the adapter's choice, src/gpu/batch.ts batchWorkgroup).

override WG: u32 = 64u;

struct BatchParams {
  count: u32,     // steps this dispatch may apply to each running run
  row_cap: u32,   // rows each run may write per dispatch
  _pad0: u32,
  _pad1: u32,
}

// One run's sizes, settings and where its arrays start (in vec4s for X, W0, W; in floats for y, a0, a).
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
  _pad0: f32,
  _pad1: f32,
  _pad2: f32,
}

// What a run carries from one dispatch to the next (the host reads it back with the rows).
struct BatchState {
  step: u32,
  halt: u32,
  eps_step: u32,     // 1 + the first step with L < eps·L0; 0 while not reached
  log_index: u32,    // logged steps passed so far
  done: u32,         // 1 once the closing record is written: the run is frozen
  rows: u32,         // rows written by the last dispatch
  loss: f32,         // L at the last state checked
  loss0: f32,
}
