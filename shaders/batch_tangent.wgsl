// H v for some runs of a batch at their current states, H = η_W·H_W + η_a·H_a the
// rate-weighted tangent kernel (the stability monitor's product; twin: tangentProduct in
// src/reference/tangent.ts). Workgroup g takes run list[g]: first Jᵀv per neuron (thread l
// takes neurons l, l + WG, … in blocks of BLOCK_ITEMS) into G (W's layout) and ga (out's a0
// region), then J of that per sample (thread l takes samples l, l + WG, … in blocks of
// BLOCK_ITEMS, as batch_train.wgsl's residual) into out's y region. v and out have fixed1's
// layout (a run's n samples at y_off). Sums run in a fixed order.

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let run = runs[list[wg.x]];
  for (var i = lid; i < run.n; i += WG) { r_sh[i] = vin[run.y_off + i]; }
  workgroupBarrier();
  for (var j0 = lid; j0 < run.m; j0 += BLOCK_ITEMS * WG) {
    var w = w_rows(run, j0);
    var unused: BlockRows;
    let sums = batch_neurons(run, &w, &unused, false);
    /* unroll */ for (var u = 0u; u < BLOCK_ITEMS; u++) {
      let j = j0 + u * WG;
      if (j < run.m) {
        let ca = run.kappa * a[run.a_off + j];
        /* unroll */ for (var k = 0u; k < D4; k++) { G[run.w_off + j * D4 + k] = ca * sums.g[u * D4 + k]; }
        out[run.a0_off + j] = run.kappa * sums.s[u].ga;
      }
    }
  }
  storageBarrier();
  for (var i0 = lid; i0 < run.n; i0 += BLOCK_ITEMS * WG) {
    let x = fixed_rows(run.x_off, i0, run.n);
    // Zeroed explicitly, as batch_train.wgsl's sums in a loop (SwiftShader).
    var acc = array<f32, BLOCK_ITEMS>();
    let ea = run.eta_a * run.kappa;
    for (var j = 0u; j < run.m; j++) {
      var w: array<vec4<f32>, D4>;
      var gw: array<vec4<f32>, D4>;
      /* unroll */ for (var k = 0u; k < D4; k++) {
        w[k] = W[run.w_off + j * D4 + k];
        gw[k] = G[run.w_off + j * D4 + k];
      }
      let cw = run.eta_w * run.kappa * a[run.a_off + j];
      let ga = out[run.a0_off + j];
      /* unroll */ for (var u = 0u; u < BLOCK_ITEMS; u++) {
        var z4 = vec4<f32>(0.0);
        var u4 = vec4<f32>(0.0);
        /* unroll */ for (var k = 0u; k < D4; k++) {
          z4 += w[k] * x[u * D4 + k];
          u4 += gw[k] * x[u * D4 + k];
        }
        let z = hsum(z4);
        if (z > 0.0) { acc[u] += cw * hsum(u4) + ea * z * ga; }
      }
    }
    /* unroll */ for (var u = 0u; u < BLOCK_ITEMS; u++) {
      let i = i0 + u * WG;
      if (i < run.n) { out[run.y_off + i] = acc[u]; }
    }
  }
}
