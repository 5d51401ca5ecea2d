// backward=masked's logging pass (stats=masks): the same product as its update
// (masked_gradient.wgsl) at the same state, recorded instead of applied: each neuron's
// STAT_GRAD2 = ‖∇w_r‖² + (∇a_r)² from ‖g_r‖² and ⟨w_r, g_r⟩, each summed over the group's D4
// threads in a fixed order (⟨w_r, g_r⟩ as the update sums it). W, a and the status are left
// alone, so that it also serves the closing record of a halted run. Runs after neuron_stats_masks.wgsl.
// The sums go through workgroup memory 4 neurons at a time: SwiftShader's compile time grows
// with a kernel's workgroup memory (about 0.1 s per KiB here; 0.9 s for all 16 neurons at once).

/// Per thread, for 4 neurons of its group: ⟨w, g⟩ over its vec4 of d (0..63), then ‖g‖² (64..127).
var<workgroup> wg_log: array<vec4<f32>, 128u>;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let gr = masked_group(lid, wid.x);
  let g = masked_gradient(gr);
  for (var h = 0u; h < 4u; h++) {
    var dots = vec4<f32>(0.0);
    var norms = vec4<f32>(0.0);
    for (var c = 0u; c < 4u; c++) {
      let j = gr.r0 + 4u * h + c;
      if (gr.owns && j < block.count) {
        let gj = g[h][c];
        dots[c] = dot(W[j * D4 + gr.kt], gj);
        norms[c] = dot(gj, gj);
      }
    }
    wg_log[lid] = dots;
    wg_log[64u + lid] = norms;
    workgroupBarrier();
    if (gr.owns && gr.kt == 0u) {
      var ga = vec4<f32>(0.0);
      var g2 = vec4<f32>(0.0);
      for (var t = 0u; t < D4; t++) {
        ga += wg_log[gr.group + t * NG];
        g2 += wg_log[64u + gr.group + t * NG];
      }
      for (var c = 0u; c < 4u; c++) {
        let j = gr.r0 + 4u * h + c;
        if (j < block.count) { stats[j * STAT_COUNT + STAT_GRAD2] = grad2_stat(g2[c], ga[c], dims.kappa, a[j]); }
      }
    }
    workgroupBarrier();
  }
}
