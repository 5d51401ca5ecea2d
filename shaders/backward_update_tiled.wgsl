// The backward_update kernel for GPUs (variant `tiled`): the same math as backward_update.wgsl,
// for blocks of 64 neurons × all d dims per workgroup. Each neuron's d dims are split over 4
// threads (w and g slices stay in registers, no spills at d = 128); samples come in tiles of
// 8 through workgroup memory, z_ir is summed from the 4 slices in a fixed order. The halting
// decision is made as in backward_update.wgsl.

const TR: u32 = 64u;                     // neurons per workgroup
const TS: u32 = 8u;                      // samples per tile
const QS: u32 = 4u;                      // dim slices per neuron
const SL: u32 = (D4 + QS - 1u) / QS;     // vec4s per slice

var<workgroup> xt: array<vec4<f32>, TS * D4>;
var<workgroup> zp: array<f32, TS * QS * TR>;
var<workgroup> rt: array<f32, TS>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let rl = lid % TR;
  let q = lid / TR;
  let j = wid.x * TR + rl;
  let code = halting_step(lid, block.first == 1u && j == 0u && q == 0u);
  if (code != HALT_RUNNING) { return; }
  let valid = j < block.count;
  let jr = min(j, block.count - 1u);
  var w: array<vec4<f32>, SL>;
  var g: array<vec4<f32>, SL>;
  for (var t = 0u; t < SL; t++) {
    let k = q * SL + t;
    if (k < D4) { w[t] = W[jr * D4 + k]; }
  }
  // Read before the loop's barriers: the write to a[j] below cannot race with it.
  let aj = a[jr];
  var ga = 0.0;
  for (var i0 = 0u; i0 < dims.n; i0 += TS) {
    stage_samples(i0, TS, lid);
    workgroupBarrier();
    for (var s = 0u; s < TS; s++) {
      var acc = vec4<f32>(0.0);
      for (var t = 0u; t < SL; t++) {
        let k = q * SL + t;
        if (k < D4) { acc += w[t] * xt[s * D4 + k]; }
      }
      zp[(s * QS + q) * TR + rl] = hsum(acc);
    }
    workgroupBarrier();
    for (var s = 0u; s < TS; s++) {
      let o = s * QS * TR + rl;
      let z = (zp[o] + zp[o + TR]) + (zp[o + 2u * TR] + zp[o + 3u * TR]);
      if (z > 0.0) {
        let rs = rt[s];
        for (var t = 0u; t < SL; t++) {
          let k = q * SL + t;
          if (k < D4) { g[t] += rs * xt[s * D4 + k]; }
        }
        ga += rs * z;
      }
    }
    workgroupBarrier();
  }
  if (!valid) { return; }
  let cw = dims.eta_w * dims.kappa * aj;
  for (var t = 0u; t < SL; t++) {
    let k = q * SL + t;
    if (k < D4) { W[j * D4 + k] = w[t] - cw * g[t]; }
  }
  if (q == 0u) { a[j] = aj - dims.eta_a * dims.kappa * ga; }
}
