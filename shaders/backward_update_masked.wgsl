// The backward_update kernel for CPU drivers (variant `masked`): the same math as
// backward_update.wgsl, without recomputing z. The forward pass of this state left the signs
// [z_ir > 0] in `mask` (forward.wgsl, WRITE_MASK), so both gradients come from one product
//   g_r = Σ_i c_i [z_ir > 0] x_i,   ∇w_r = κ a_r g_r,   ∇a_r = κ Σ_i c_i relu(z_ir) = κ ⟨w_r, g_r⟩,
// register-blocked like matmul.wgsl: a thread holds one vec4 of g for each of a group's 16
// neurons, in four 4×4 blocks written out one by one (SwiftShader does not unroll loops, and
// an array indexed in a loop would live in memory), and walks the samples, using each x vec4
// it loads 16 times. D4 threads share a group's d dims (hence d ≤ 256; neighbouring threads
// take different groups and the same x); ⟨w_r, g_r⟩ is summed over them in a fixed order.
// The halting decision is made as in backward_update.wgsl.
// The mask's layout: mask_word and mask_bits in common.wgsl. A chunk's words are its own (q is
// a power of 2 ≥ 16), so forward threads of different chunks never share one.

// NB, the neurons per group, is prepended by the host (MASKED_GROUP in src/gpu/kernels/backward_update.ts).
const NG: u32 = 64u / D4;       // groups per workgroup

// Bindings: the step's (STEP_DECLARATIONS in src/gpu/program.ts).

var<workgroup> wg_dot: array<vec4<f32>, 64u * 4u>;

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
  // Threads past D4·NG or the block's end still reach the barrier below.
  let owns = kt < D4 && r0 < block.count;
  // The group's 16 bits of sample i: word mask_word(r0, i, …) = words + i (r0 and r0 + 15 share it).
  let words = mask_word(min(r0, block.count - 1u), 0u, dims.n, dims.q);
  let shift = r0 % mask_bits(dims.q);
  // gh[c]: the thread's vec4 of g for neuron 4h + c of the group.
  var g0 = mat4x4<f32>();
  var g1 = mat4x4<f32>();
  var g2 = mat4x4<f32>();
  var g3 = mat4x4<f32>();
  if (owns) {
    for (var i = 0u; i < dims.n; i++) {
      let bits = vec4<u32>(mask[words + i] >> shift);
      let ri = vec4<f32>(r[i]);
      let x = X[i * D4 + kt];
      let none = vec4<f32>(0.0);
      let c0 = select(none, ri, (bits & vec4<u32>(0x1u, 0x2u, 0x4u, 0x8u)) != vec4<u32>(0u));
      let c1 = select(none, ri, (bits & vec4<u32>(0x10u, 0x20u, 0x40u, 0x80u)) != vec4<u32>(0u));
      let c2 = select(none, ri, (bits & vec4<u32>(0x100u, 0x200u, 0x400u, 0x800u)) != vec4<u32>(0u));
      let c3 = select(none, ri, (bits & vec4<u32>(0x1000u, 0x2000u, 0x4000u, 0x8000u)) != vec4<u32>(0u));
      g0 += mat4x4<f32>(c0.x * x, c0.y * x, c0.z * x, c0.w * x);
      g1 += mat4x4<f32>(c1.x * x, c1.y * x, c1.z * x, c1.w * x);
      g2 += mat4x4<f32>(c2.x * x, c2.y * x, c2.z * x, c2.w * x);
      g3 += mat4x4<f32>(c3.x * x, c3.y * x, c3.z * x, c3.w * x);
    }
  }
  // Neurons past the block's end take no part below.
  let g = array<mat4x4<f32>, 4>(g0, g1, g2, g3);
  var av: array<vec4<f32>, 4>;
  for (var c = 0u; c < NB; c++) {
    let j = r0 + c;
    var part = 0.0;
    if (owns && j < block.count) {
      av[c / 4u][c % 4u] = a[j];
      let w = W[j * D4 + kt];
      let gj = g[c / 4u][c % 4u];
      part = dot(w, gj);
      W[j * D4 + kt] = w - dims.eta_w * dims.kappa * a[j] * gj;
    }
    wg_dot[lid * 4u + c / 4u][c % 4u] = part;
  }
  workgroupBarrier();
  if (owns && kt == 0u) {
    for (var h = 0u; h < 4u; h++) {
      var ga = vec4<f32>(0.0);
      for (var t = 0u; t < D4; t++) { ga += wg_dot[(group + t * NG) * 4u + h]; }
      for (var c = 0u; c < 4u; c++) {
        let j = r0 + 4u * h + c;
        if (j < block.count) { a[j] = av[h][c] - dims.eta_a * dims.kappa * ga[c]; }
      }
    }
  }
}
