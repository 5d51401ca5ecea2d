// Per-neuron quantities behind the logged metrics (columns STAT_*), one thread per neuron:
// movement from initialization, activation flips since step 0 (both pre-activations
// recomputed), activity, the squared gradient norm at the current point, and the drift of
// the per-neuron quantity that gradient flow conserves.

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<uniform> block: Block;
@group(0) @binding(2) var<storage, read> X: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> r: array<f32>;
@group(0) @binding(4) var<storage, read> W: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> W0: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> a: array<f32>;
@group(0) @binding(7) var<storage, read> a0: array<f32>;
@group(0) @binding(8) var<storage, read_write> stats: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  if (j >= block.count) { return; }
  var w: array<vec4<f32>, D4>;
  var w0: array<vec4<f32>, D4>;
  var g: array<vec4<f32>, D4>;
  var dw2 = 0.0;
  var w02 = 0.0;
  var w2 = 0.0;
  for (var k = 0u; k < D4; k++) {
    w[k] = W[j * D4 + k];
    w0[k] = W0[j * D4 + k];
    let dw = w[k] - w0[k];
    dw2 += dot(dw, dw);
    w02 += dot(w0[k], w0[k]);
    w2 += dot(w[k], w[k]);
  }
  var ga = 0.0;
  var flips = 0u;
  var is_active = 0u;
  for (var i = 0u; i < dims.n; i++) {
    var z4 = vec4<f32>(0.0);
    var y4 = vec4<f32>(0.0);
    for (var k = 0u; k < D4; k++) {
      let x = X[i * D4 + k];
      z4 += w[k] * x;
      y4 += w0[k] * x;
    }
    let z = (z4.x + z4.y) + (z4.z + z4.w);
    let z0 = (y4.x + y4.y) + (y4.z + y4.w);
    if ((z > 0.0) != (z0 > 0.0)) { flips += 1u; }
    if (z > 0.0) {
      is_active = 1u;
      let ri = r[i];
      for (var k = 0u; k < D4; k++) { g[k] += ri * X[i * D4 + k]; }
      ga += ri * z;
    }
  }
  let ca = dims.kappa * a[j];
  var g2 = 0.0;
  for (var k = 0u; k < D4; k++) { let gk = ca * g[k]; g2 += dot(gk, gk); }
  let gaj = dims.kappa * ga;
  let da = a[j] - a0[j];
  let o = j * STAT_COUNT;
  stats[o + STAT_DW2] = dw2;
  stats[o + STAT_W02] = w02;
  stats[o + STAT_DA2] = da * da;
  stats[o + STAT_A02] = a0[j] * a0[j];
  stats[o + STAT_MOVE] = select(0.0, sqrt(dw2 / w02), w02 > 0.0);
  stats[o + STAT_FLIPS] = f32(flips);
  stats[o + STAT_ACTIVE] = f32(is_active);
  stats[o + STAT_GRAD2] = g2 + gaj * gaj;
  // ‖w_r‖²/η_W − a_r²/η_a, conserved under gradient flow; a layer with rate 0 is left out.
  let iw = select(0.0, 1.0 / dims.eta_w, dims.eta_w > 0.0);
  let ia = select(0.0, 1.0 / dims.eta_a, dims.eta_a > 0.0);
  let scale = w02 * iw + a0[j] * a0[j] * ia;
  let drift = abs(w2 * iw - a[j] * a[j] * ia - (w02 * iw - a0[j] * a0[j] * ia));
  stats[o + STAT_CONS] = select(0.0, drift / scale, scale > 0.0);
}
