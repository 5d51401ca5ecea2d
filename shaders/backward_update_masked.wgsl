// The backward_update kernel for CPU drivers (variant `masked`): the same math as
// backward_update.wgsl, without recomputing z. The forward pass of this state left the signs
// [z_ir > 0] in `mask` (forward.wgsl, WRITE_MASK), so both gradients come from one product
// (masked_gradient.wgsl)
//   g_r = Σ_i c_i [z_ir > 0] x_i,   ∇w_r = κ a_r g_r,   ∇a_r = κ Σ_i c_i relu(z_ir) = κ ⟨w_r, g_r⟩,
// ⟨w_r, g_r⟩ summed over the group's D4 threads in a fixed order.
// The halting decision is made as in backward_update.wgsl.

/// Per thread, for 4 neurons of its group: ⟨w, g⟩ over its vec4 of d. The sums go through
/// workgroup memory 4 neurons at a time: SwiftShader's compile time grows with a kernel's
/// workgroup memory (about 0.1 s per KiB here).
var<workgroup> wg_dot: array<vec4<f32>, 64u>;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  if (halting_step(lid, block.first == 1u && wid.x == 0u && lid == 0u) != HALT_RUNNING) { return; }
  let gr = masked_group(lid, wid.x);
  let g = masked_gradient(gr);
  // Neurons past the block's end take no part below.
  for (var h = 0u; h < 4u; h++) {
    var av = vec4<f32>(0.0);
    var part = vec4<f32>(0.0);
    for (var c = 0u; c < 4u; c++) {
      let j = gr.r0 + 4u * h + c;
      if (gr.owns && j < block.count) {
        av[c] = a[j];
        let w = W[j * D4 + gr.kt];
        let gj = g[h][c];
        part[c] = dot(w, gj);
        W[j * D4 + gr.kt] = w - dims.eta_w * dims.kappa * a[j] * gj;
      }
    }
    wg_dot[lid] = part;
    workgroupBarrier();
    if (gr.owns && gr.kt == 0u) {
      var ga = vec4<f32>(0.0);
      for (var t = 0u; t < D4; t++) { ga += wg_dot[gr.group + t * NG]; }
      for (var c = 0u; c < 4u; c++) {
        let j = gr.r0 + 4u * h + c;
        if (j < block.count) { a[j] = av[c] - dims.eta_a * dims.kappa * ga[c]; }
      }
    }
    workgroupBarrier();
  }
}
