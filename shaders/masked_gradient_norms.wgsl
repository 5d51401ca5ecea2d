// backward=masked's logging pass (stats=masks): the same product as its update
// (masked_gradient.wgsl) at the same state, recorded instead of applied: each neuron's
// STAT_GRAD2 = ‖∇w_r‖² + (∇a_r)² from ‖g_r‖² and ⟨w_r, g_r⟩, each summed over the group's D4
// threads in a fixed order (⟨w_r, g_r⟩ as the update sums it). W, a and the status are left
// alone, so that it also serves the closing record of a halted run. Runs after neuron_stats_masks.wgsl.

/// Per thread and neuron of its group: (⟨w, g⟩, ‖g‖²) over its vec4 of d.
var<workgroup> wg_log: array<vec2<f32>, 64u * NB>;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let gr = masked_group(lid, wid.x);
  let g = masked_gradient(gr);
  for (var c = 0u; c < NB; c++) {
    let j = gr.r0 + c;
    var part = vec2<f32>(0.0);
    if (gr.owns && j < block.count) {
      let gj = g[c / 4u][c % 4u];
      part = vec2<f32>(dot(W[j * D4 + gr.kt], gj), dot(gj, gj));
    }
    wg_log[lid * NB + c] = part;
  }
  workgroupBarrier();
  if (gr.owns && gr.kt == 0u) {
    for (var c = 0u; c < NB; c++) {
      let j = gr.r0 + c;
      if (j < block.count) {
        var sum = vec2<f32>(0.0);
        for (var t = 0u; t < D4; t++) { sum += wg_log[(gr.group + t * NG) * NB + c]; }
        stats[j * STAT_COUNT + STAT_GRAD2] = grad2_stat(sum.y, sum.x, dims.kappa, a[j]);
      }
    }
  }
}
