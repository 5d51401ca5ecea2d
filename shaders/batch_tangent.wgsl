// H v for some runs of a batch at their current states, H = η_W·H_W + η_a·H_a the
// rate-weighted tangent kernel (the stability monitor's product; twin: tangentProduct in
// src/reference/tangent.ts). Workgroup g takes run list[g]: first Jᵀv per neuron (thread l
// takes neurons l, l + WG, …) into G (W's layout) and ga (out's a0 region), then J of that per
// sample (thread l takes samples l, l + WG, …) into out's y region. v and out have fixed1's
// layout (a run's n samples at y_off). Sums run in a fixed order.

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let run = runs[list[wg.x]];
  for (var i = lid; i < run.n; i += WG) { r_sh[i] = vin[run.y_off + i]; }
  workgroupBarrier();
  for (var j = lid; j < run.m; j += WG) {
    var w: array<vec4<f32>, D4>;
    var unused: array<vec4<f32>, D4>;
    /* unroll */ for (var k = 0u; k < D4; k++) { w[k] = W[run.w_off + j * D4 + k]; }
    let sums = batch_neuron(run, &w, &unused, false);
    let g = sums.g;
    let ga = sums.s.ga;
    let ca = run.kappa * a[run.a_off + j];
    /* unroll */ for (var k = 0u; k < D4; k++) { G[run.w_off + j * D4 + k] = ca * g[k]; }
    out[run.a0_off + j] = run.kappa * ga;
  }
  storageBarrier();
  for (var i = lid; i < run.n; i += WG) {
    var x: array<vec4<f32>, D4>;
    /* unroll */ for (var k = 0u; k < D4; k++) { x[k] = fixed4[run.x_off + i * D4 + k]; }
    var acc = 0.0;
    for (var j = 0u; j < run.m; j++) {
      var z4 = vec4<f32>(0.0);
      var u4 = vec4<f32>(0.0);
      /* unroll */ for (var k = 0u; k < D4; k++) {
        z4 += W[run.w_off + j * D4 + k] * x[k];
        u4 += G[run.w_off + j * D4 + k] * x[k];
      }
      let z = hsum(z4);
      if (z > 0.0) { acc += run.eta_w * run.kappa * a[run.a_off + j] * hsum(u4) + run.eta_a * run.kappa * z * out[run.a0_off + j]; }
    }
    out[run.y_off + i] = acc;
  }
}
