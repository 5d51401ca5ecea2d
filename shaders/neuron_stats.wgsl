// Per-neuron quantities behind the logged metrics (columns STAT_*): movement from
// initialization, activation flips since step 0 (both pre-activations recomputed), activity,
// the squared gradient norm at the current point, and the drift of the per-neuron quantity
// that gradient flow conserves. `main`: one thread per neuron (CPU drivers). `tiled` (GPUs):
// 64 neurons × 4 dim slices per workgroup like backward_update_tiled.wgsl, so w, w0 and the
// gradient stay in registers at d = 128 (one thread per neuron spills there); both write
// through write_stats.

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<uniform> block: Block;
@group(0) @binding(2) var<storage, read> X: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> r: array<f32>;
@group(0) @binding(4) var<storage, read> W: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> W0: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> a: array<f32>;
@group(0) @binding(7) var<storage, read> a0: array<f32>;
@group(0) @binding(8) var<storage, read_write> stats: array<f32>;

struct NeuronSums {
  dw2: f32,      // ‖w − w0‖²
  w02: f32,      // ‖w0‖²
  w2: f32,       // ‖w‖²
  g2: f32,       // ‖Σ_i r_i [z_i > 0] x_i‖² (times (κ a)² below)
  ga: f32,       // Σ_i r_i relu(z_i)
  flips: u32,
  is_active: u32,
}

fn write_stats(j: u32, s: NeuronSums) {
  let ca = dims.kappa * a[j];
  let gaj = dims.kappa * s.ga;
  let da = a[j] - a0[j];
  let o = j * STAT_COUNT;
  stats[o + STAT_DW2] = s.dw2;
  stats[o + STAT_W02] = s.w02;
  stats[o + STAT_DA2] = da * da;
  stats[o + STAT_A02] = a0[j] * a0[j];
  stats[o + STAT_MOVE] = select(0.0, sqrt(s.dw2 / s.w02), s.w02 > 0.0);
  stats[o + STAT_FLIPS] = f32(s.flips);
  stats[o + STAT_ACTIVE] = f32(s.is_active);
  stats[o + STAT_GRAD2] = ca * ca * s.g2 + gaj * gaj;
  // ‖w_r‖²/η_W − a_r²/η_a, conserved under gradient flow; a layer with rate 0 is left out.
  let iw = select(0.0, 1.0 / dims.eta_w, dims.eta_w > 0.0);
  let ia = select(0.0, 1.0 / dims.eta_a, dims.eta_a > 0.0);
  let scale = s.w02 * iw + a0[j] * a0[j] * ia;
  let drift = abs(s.w2 * iw - a[j] * a[j] * ia - (s.w02 * iw - a0[j] * a0[j] * ia));
  stats[o + STAT_CONS] = select(0.0, drift / scale, scale > 0.0);
}

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

const TR: u32 = 64u;                     // neurons per workgroup
const TS: u32 = 4u;                      // samples per tile
const QS: u32 = 4u;                      // dim slices per neuron
const SL: u32 = (D4 + QS - 1u) / QS;     // vec4s per slice

var<workgroup> xt: array<vec4<f32>, TS * D4>;
var<workgroup> rt: array<f32, TS>;
// (z, z0) per sample, slice and neuron; at the end, the slices' partial sums.
var<workgroup> zt: array<vec2<f32>, TS * QS * TR>;

@compute @workgroup_size(256)
fn tiled(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
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
