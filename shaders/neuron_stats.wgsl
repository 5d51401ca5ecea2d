// Per-neuron quantities behind the logged metrics (columns STAT_*): movement from
// initialization, activation flips since step 0 (both pre-activations recomputed), activity,
// the squared gradient norm at the current point, and the drift of the per-neuron quantity
// that gradient flow conserves. This variant (`simple`): one thread per neuron (CPU drivers);
// neuron_stats_tiled.wgsl is the GPUs' (both record through neuron_sums.wgsl).

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  if (j >= block.count) { return; }
  var w: array<vec4<f32>, D4>;
  var w0: array<vec4<f32>, D4>;
  var g: array<vec4<f32>, D4>;
  var s: NeuronSums;
  /* unroll */ for (var k = 0u; k < D4; k++) {
    w[k] = W[j * D4 + k];
    w0[k] = W0[j * D4 + k];
    let dw = w[k] - w0[k];
    s.dw2 += dot(dw, dw);
    s.w02 += dot(w0[k], w0[k]);
    s.w2 += dot(w[k], w[k]);
  }
  for (var i = 0u; i < dims.n; i++) {
    var z4 = vec4<f32>(0.0);
    var y4 = vec4<f32>(0.0);
    /* unroll */ for (var k = 0u; k < D4; k++) {
      let x = X[i * D4 + k];
      z4 += w[k] * x;
      y4 += w0[k] * x;
    }
    let z = hsum(z4);
    if ((z > 0.0) != (hsum(y4) > 0.0)) { s.flips += 1u; }
    if (z > 0.0) {
      s.is_active = 1u;
      let ri = r[i];
      /* unroll */ for (var k = 0u; k < D4; k++) { g[k] += ri * X[i * D4 + k]; }
      s.ga += ri * z;
    }
  }
  /* unroll */ for (var k = 0u; k < D4; k++) { s.g2 += dot(g[k], g[k]); }
  write_stats(j, s);
}
