// The backward_update kernel for CPU drivers (variant `masked`): the same math as
// backward_update.wgsl, without recomputing z. The forward pass of this state left the signs
// [z_ir > 0] in `mask` (forward.wgsl, WRITE_MASK), so both gradients come from one product
//   g_r = Σ_i c_i [z_ir > 0] x_i,   ∇w_r = κ a_r g_r,   ∇a_r = κ Σ_i c_i relu(z_ir) = κ ⟨w_r, g_r⟩,
// register-blocked like matmul.wgsl: a thread holds one vec4 of g for each of a group's 16
// neurons, in four 4×4 blocks (a loop the host writes out: SwiftShader does not unroll loops,
// and an array indexed in one would live in memory), and walks the samples, using each x vec4
// it loads 16 times. D4 threads share a group's d dims (hence d ≤ 256; neighbouring threads
// take different groups and the same x); ⟨w_r, g_r⟩ is summed over them in a fixed order.
// The halting decision is made as in backward_update.wgsl.
// The mask's layout: mask_word and mask_bits in common.wgsl. A chunk's words are its own (q is
// a power of 2 ≥ 16), so forward threads of different chunks never share one.

// NB, the neurons per group, is prepended by the host (MASKED_GROUP in src/gpu/kernels/backward_update.ts).
const NG: u32 = 64u / D4;       // groups per workgroup

var<workgroup> wg_dot: array<vec4<f32>, 64u * 4u>;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  if (halting_step(lid, block.first == 1u && wid.x == 0u && lid == 0u) != HALT_RUNNING) { return; }
  let group = lid % NG;
  let kt = lid / NG;
  let r0 = (wid.x * NG + group) * NB;
  // Threads past D4·NG or the block's end still reach the barrier below.
  let owns = kt < D4 && r0 < block.count;
  // The group's 16 bits of sample i: word mask_word(r0, i, …) = words + i (r0 and r0 + 15 share it).
  let words = mask_word(min(r0, block.count - 1u), 0u, dims.n, dims.q);
  let shift = r0 % mask_bits(dims.q);
  // g[h][c]: the thread's vec4 of g for neuron 4h + c of the group.
  var g: array<mat4x4<f32>, 4>;
  if (owns) {
    for (var i = 0u; i < dims.n; i++) {
      let bits = vec4<u32>(mask[words + i] >> shift);
      let ri = vec4<f32>(r[i]);
      let x = X[i * D4 + kt];
      /* unroll */ for (var h = 0u; h < 4u; h++) {
        let c = select(vec4<f32>(0.0), ri, (bits & (vec4<u32>(0x1u, 0x2u, 0x4u, 0x8u) << vec4<u32>(4u * h))) != vec4<u32>(0u));
        g[h] += mat4x4<f32>(c.x * x, c.y * x, c.z * x, c.w * x);
      }
    }
  }
  // Neurons past the block's end take no part below.
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
