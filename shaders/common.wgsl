// Structs shared by the training kernels; their byte layout is written by src/gpu/layout.ts.
// The host prepends the constants (D4, HALT_*, STAT_*, …) generated from src/model, and
// writes out the loops marked for unrolling where the adapter gains from it (unrollLoops in
// src/gpu/program.ts), so that the function arrays they index stay in registers on SwiftShader.

struct Dims {
  n: u32,            // samples
  m: u32,            // neurons in all blocks
  q: u32,            // neurons per reduction chunk
  chunks: u32,       // reduction chunks over all blocks
  loss_parts: u32,   // workgroup partial sums of r², written by residual.wgsl
  row_cap: u32,      // rows the log buffer holds (it restarts at 0 every submit)
  stop_at_eps: u32,  // 1: halt when L < eps·L0
  _pad1: u32,
  kappa: f32,        // output scale κ
  eta_w: f32,
  eta_a: f32,
  eps: f32,          // converged when L < eps·L0
  diverge_at: f32,   // diverged when L > diverge_at·L0 or L is not finite
  _pad2: f32,
  _pad3: f32,
  _pad4: f32,
}

// One block of neurons: its own W, a, W0, a0, stats buffers; chunk_offset places its
// chunks among all chunks, so the reductions do not depend on how neurons are blocked.
struct Block {
  offset: u32,
  count: u32,
  chunk_offset: u32,
  first: u32,
}

// The sum of a vec4's lanes in the one order every kernel uses for a dot product's partials.
fn hsum(v: vec4<f32>) -> f32 { return (v.x + v.y) + (v.z + v.w); }

// Per-neuron statistics reduced by maximum rather than sum (MAX_STATS in src/reference/neuron_stats.ts).
fn stat_is_max(s: u32) -> bool {
  return s == STAT_MOVE || s == STAT_CONS;
}

// Written by one invocation at a time: halting.wgsl's record_loss (loss, L0, eps_step, halt;
// called from loss.wgsl and backward_update), backward_update (step) and metrics.wgsl (rows);
// the host resets rows to 0 before each submit. `halt` is atomic: every backward_update
// workgroup reads it while that dispatch's writer may set it.
struct Status {
  step: u32,
  halt: atomic<u32>,
  rows: u32,
  eps_step: u32,     // 1 + the first step with L < eps·L0; 0 while not reached
  loss: f32,
  loss0: f32,
  _pad1: f32,
  _pad2: f32,
  // residual.wgsl's per-workgroup Σ r² (dims.loss_parts of them), kept after the fields above
  // so that the step's kernels bind 8 storage buffers, the most WebGPU guarantees.
  loss_parts: array<f32>,
}

// The activation mask (forward.wgsl's WRITE_MASK, read by backward_update_masked.wgsl): the
// sign of z_ir is bit r % mask_bits(q) of word mask_word(r, i, n, q), words of min(q, 32)
// neurons so that no word spans two chunks. Twin: maskWords in src/gpu/layout.ts.
fn mask_bits(q: u32) -> u32 { return min(q, 32u); }
fn mask_word(r: u32, i: u32, n: u32, q: u32) -> u32 { return (r / mask_bits(q)) * n + i; }
