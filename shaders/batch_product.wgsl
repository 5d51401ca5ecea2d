// H v for a batched run at its current state, H = η_W·H_W + η_a·H_a the rate-weighted tangent
// kernel (twin: tangentProduct in src/reference/tangent.ts): v from vars1 at `v_at`, H v into
// vars1 at `hv_at` (n floats each). Shared by batch_tangent.wgsl (the host's products) and the
// stability monitor, batch_monitor.wgsl. First Jᵀv per neuron (thread l takes neurons l, l + WG,
// … in blocks of BLOCK_ITEMS) into the run's G and ga, then J of that per sample (thread l takes
// samples l, l + WG, … in blocks, as batch_train.wgsl's residual). Sums run in a fixed order.
// Thread l reads v and writes H v at its own samples l, l + WG, … only. Call in uniform control flow.

fn tangent_product(run: BatchRun, lid: u32, v_at: u32, hv_at: u32) {
  // The last product's reads of G and r_sh come before this one's writes.
  storageBarrier();
  for (var i = lid; i < run.n; i += WG) { r_sh[i] = vars1[v_at + i]; }
  workgroupBarrier();
  for (var j0 = lid; j0 < run.m; j0 += BLOCK_ITEMS * WG) {
    var w = w_rows(run, j0);
    var unused: BlockRows;
    let sums = batch_neurons(run, &w, &unused, false);
    /* unroll */ for (var u = 0u; u < BLOCK_ITEMS; u++) {
      let j = j0 + u * WG;
      if (j < run.m) {
        let ca = run.kappa * vars1[run.a_off + j];
        /* unroll */ for (var k = 0u; k < D4; k++) { vars4[run.g_off + j * D4 + k] = ca * sums.g[u * D4 + k]; }
        vars1[run.ga_off + j] = run.kappa * sums.s[u].ga;
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
        w[k] = vars4[run.w_off + j * D4 + k];
        gw[k] = vars4[run.g_off + j * D4 + k];
      }
      let cw = run.eta_w * run.kappa * vars1[run.a_off + j];
      let ga = vars1[run.ga_off + j];
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
      if (i < run.n) { vars1[hv_at + i] = acc[u]; }
    }
  }
}
