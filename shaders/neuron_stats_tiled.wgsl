// neuron_stats.wgsl's sums, variant `tiled` (for GPUs): 64 neurons × 4 dim slices per
// workgroup like backward_update_tiled.wgsl, so w, w0 and the gradient stay in registers at
// d = 128 (one thread per neuron spills there).

const TR: u32 = 64u;                     // neurons per workgroup
const TS: u32 = 4u;                      // samples per tile
const QS: u32 = 4u;                      // dim slices per neuron
const SL: u32 = (D4 + QS - 1u) / QS;     // vec4s per slice

var<workgroup> xt: array<vec4<f32>, TS * D4>;
var<workgroup> rt: array<f32, TS>;
// (z, z0) per sample, slice and neuron; at the end, the slices' partial sums.
var<workgroup> zt: array<vec2<f32>, TS * QS * TR>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let rl = lid % TR;
  let q = lid / TR;
  let j = wid.x * TR + rl;
  let jr = min(j, block.count - 1u);
  var w: array<vec4<f32>, SL>;
  var w0: array<vec4<f32>, SL>;
  var g: array<vec4<f32>, SL>;
  var s: NeuronSums;
  for (var t = 0u; t < SL; t++) {
    let k = q * SL + t;
    if (k < D4) {
      w[t] = W[jr * D4 + k];
      w0[t] = W0[jr * D4 + k];
      let dw = w[t] - w0[t];
      s.dw2 += dot(dw, dw);
      s.w02 += dot(w0[t], w0[t]);
      s.w2 += dot(w[t], w[t]);
    }
  }
  for (var i0 = 0u; i0 < dims.n; i0 += TS) {
    stage_samples(i0, TS, lid);
    workgroupBarrier();
    for (var u = 0u; u < TS; u++) {
      var z4 = vec4<f32>(0.0);
      var y4 = vec4<f32>(0.0);
      for (var t = 0u; t < SL; t++) {
        let k = q * SL + t;
        if (k < D4) {
          z4 += w[t] * xt[u * D4 + k];
          y4 += w0[t] * xt[u * D4 + k];
        }
      }
      zt[(u * QS + q) * TR + rl] = vec2<f32>(hsum(z4), hsum(y4));
    }
    workgroupBarrier();
    for (var u = 0u; u < TS; u++) {
      let o = u * QS * TR + rl;
      let zz = (zt[o] + zt[o + TR]) + (zt[o + 2u * TR] + zt[o + 3u * TR]);
      if ((zz.x > 0.0) != (zz.y > 0.0)) { s.flips += 1u; }
      if (zz.x > 0.0) {
        s.is_active = 1u;
        let ru = rt[u];
        for (var t = 0u; t < SL; t++) {
          let k = q * SL + t;
          if (k < D4) { g[t] += ru * xt[u * D4 + k]; }
        }
        s.ga += ru * zz.x;
      }
    }
    workgroupBarrier();
  }
  for (var t = 0u; t < SL; t++) { s.g2 += dot(g[t], g[t]); }
  // Every slice thread counted the same flips, activity and ga; the norms are summed over
  // the 4 slices in a fixed order.
  zt[lid] = vec2<f32>(s.dw2, s.w02);
  zt[256u + lid] = vec2<f32>(s.w2, s.g2);
  workgroupBarrier();
  if (q != 0u || j >= block.count) { return; }
  let p = (zt[rl] + zt[rl + TR]) + (zt[rl + 2u * TR] + zt[rl + 3u * TR]);
  let v = (zt[256u + rl] + zt[256u + rl + TR]) + (zt[256u + rl + 2u * TR] + zt[256u + rl + 3u * TR]);
  s.dw2 = p.x;
  s.w02 = p.y;
  s.w2 = v.x;
  s.g2 = v.y;
  write_stats(j, s);
}
