// Where one workgroup holds a run (batch_train, batch_monitor, batch_tangent): its residual, or
// a product's v, in workgroup memory as the weights of batch_neuron.wgsl's sums, and H v by the
// whole workgroup.

// RN ≥ the batch's largest n (src/gpu/batch.ts residualLength).
override RN: u32;
var<workgroup> r_sh: array<f32, RN>;

fn sample_weight(run: BatchRun, i: u32) -> f32 { return r_sh[i]; }

/// H v (batch_product.wgsl) with v from vars1 at `v_at` into vars1 at `hv_at` (n floats each).
/// Thread l takes neurons l, l + WG, … and samples l, l + WG, … in blocks of BLOCK_ITEMS, so it
/// reads v and writes H v at its own samples l, l + WG, … only. Call in uniform control flow.
fn tangent_product(run: BatchRun, lid: u32, v_at: u32, hv_at: u32) {
  // The last product's reads of G and r_sh come before this one's writes.
  storageBarrier();
  workgroupBarrier();
  for (var i = lid; i < run.n; i += WG) { r_sh[i] = vars1[v_at + i]; }
  workgroupBarrier();
  for (var j0 = lid; j0 < run.m; j0 += BLOCK_ITEMS * WG) { jt_block(run, j0); }
  storageBarrier();
  for (var i0 = lid; i0 < run.n; i0 += BLOCK_ITEMS * WG) {
    let hv = j_block(run, i0);
    /* unroll */ for (var u = 0u; u < BLOCK_ITEMS; u++) {
      let i = i0 + u * WG;
      if (i < run.n) { vars1[hv_at + i] = hv[u]; }
    }
  }
}
