// H v for a batched run at its current state, H = η_W·H_W + η_a·H_a the rate-weighted tangent
// kernel (twin: tangentProduct in src/reference/tangent.ts), by blocks: first Jᵀv for a block of
// BLOCK_ITEMS neurons (weights v_i = sample_weight(run, i)) into the run's G and ga, then, once
// every neuron's is in, J of that for a block of samples. Sums run in a fixed order. The
// workgroup-per-run kernels take every block of a run in one workgroup (batch_resident.wgsl
// tangent_product); the spread schedule takes a block per invocation (batch_spread.wgsl).

/// Jᵀv for neurons j0 + u·WG (u < BLOCK_ITEMS, those below m) into G (vars4) and ga (vars1).
fn jt_block(run: BatchRun, j0: u32) {
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

/// (H v)_i for samples i0 + u·WG (u < BLOCK_ITEMS; entries past n are not to be kept), from G and ga.
fn j_block(run: BatchRun, i0: u32) -> array<f32, BLOCK_ITEMS> {
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
  return acc;
}
