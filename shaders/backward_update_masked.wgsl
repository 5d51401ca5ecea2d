// The backward_update kernel for CPU drivers (variant `masked`): the same math as
// backward_update.wgsl, without recomputing z. The forward pass of this state left the signs
// [z_ir > 0] in `mask` (forward.wgsl, WRITE_MASK), so both gradients come from one product
//   g_r = Σ_i c_i [z_ir > 0] x_i,   ∇w_r = κ a_r g_r,   ∇a_r = κ Σ_i c_i relu(z_ir) = κ ⟨w_r, g_r⟩,
// register-blocked like matmul.wgsl: a thread holds a group of NB neurons × KP vec4s of g and
// walks the samples, each x vec4 it loads used NB times. KT threads share a group's d dims
// (neighbouring threads take different groups and the same x); ⟨w_r, g_r⟩ is summed over them in
// a fixed order. The halting decision is made as in backward_update.wgsl.
// Mask word (r / B)·n + i holds bit r % B for neuron r of the block, B = min(q, 32): a chunk's
// words are its own (q is a power of 2 ≥ 16), so forward threads of different chunks never share one.

// The host prepends KT, the threads that share a group of neurons, and NH, the quads of neurons
// in a group (src/gpu/kernels/backward_update.ts).
const NB: u32 = 4u * NH;                 // neurons per group
const KP: u32 = (D4 + KT - 1u) / KT;     // vec4s of g per thread
const NG: u32 = 64u / KT;                // groups per workgroup

// Bindings: the step's (STEP_DECLARATIONS in src/gpu/program.ts).

var<workgroup> wg_dot: array<vec4<f32>, 64u * NH>;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let check = check_loss(lid);
  if (block.first == 1u && wid.x == 0u && lid == 0u && atomicLoad(&status.halt) == HALT_RUNNING) {
    record_loss(check.L, check.code);
    if (check.code == HALT_RUNNING) { status.step += 1u; }
  }
  if (check.code != HALT_RUNNING) { return; }
  let group = lid % NG;
  let kt = lid / NG;
  let r0 = (wid.x * NG + group) * NB;
  // Threads past KT·NG or the block's end still reach the barrier below.
  let owns = kt < KT && r0 < block.count;
  let B = min(dims.q, 32u);
  let words = (min(r0, block.count - 1u) / B) * dims.n;
  let shift = r0 % B;
  // g[p·NH + h][c]: the vec4 of slice p of g for neuron 4h + c of the group.
  var g: array<mat4x4<f32>, KP * NH>;
  for (var t = 0u; t < KP * NH; t++) { g[t] = mat4x4<f32>(); }
  if (owns) {
    for (var i = 0u; i < dims.n; i++) {
      let bits = mask[words + i] >> shift;
      let ri = r[i];
      for (var p = 0u; p < KP; p++) {
        let x = X[i * D4 + min(kt + p * KT, D4 - 1u)];
        for (var h = 0u; h < NH; h++) {
          let cv = select(vec4<f32>(0.0), vec4<f32>(ri), (vec4<u32>(bits >> (4u * h)) & vec4<u32>(1u, 2u, 4u, 8u)) != vec4<u32>(0u));
          g[p * NH + h] += mat4x4<f32>(cv.x * x, cv.y * x, cv.z * x, cv.w * x);
        }
      }
    }
  }
  // Neurons past the block's end and vec4s past D4 take no part below.
  var av: array<vec4<f32>, NH>;
  for (var c = 0u; c < NB; c++) {
    let j = r0 + c;
    var part = 0.0;
    if (owns && j < block.count) {
      av[c / 4u][c % 4u] = a[j];
      let cw = dims.eta_w * dims.kappa * a[j];
      for (var p = 0u; p < KP; p++) {
        let k = kt + p * KT;
        if (k < D4) {
          let w = W[j * D4 + k];
          part += dot(w, g[p * NH + c / 4u][c % 4u]);
          W[j * D4 + k] = w - cw * g[p * NH + c / 4u][c % 4u];
        }
      }
    }
    wg_dot[lid * NH + c / 4u][c % 4u] = part;
  }
  workgroupBarrier();
  if (owns && kt == 0u) {
    for (var h = 0u; h < NH; h++) {
      var ga = vec4<f32>(0.0);
      for (var t = 0u; t < KT; t++) { ga += wg_dot[(group + t * NG) * NH + h]; }
      for (var c = 0u; c < 4u; c++) {
        let j = r0 + 4u * h + c;
        if (j < block.count) { a[j] = av[h][c] - dims.eta_a * dims.kappa * ga[c]; }
      }
    }
  }
}
