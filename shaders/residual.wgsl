// r_i = κ Σ_c partials[c][i] − y_i and each workgroup's Σ r_i² for loss.wgsl.
// A workgroup takes RS samples; for each, RL lanes sum every RL-th chunk (so a sample's
// chunks are read in parallel, not in one serial loop of up to 256 loads), then the lanes
// and the samples are combined in a fixed order. Bit-reproducible: no atomics.

// Both set by the host (src/gpu/kernels/residual.ts): samples per workgroup, consecutive for
// coalesced reads of partials (RESIDUAL_SAMPLES), and chunk lanes per sample (RESIDUAL_LANES:
// 8 on GPUs, `wide`; 2 on CPU drivers, `narrow`, where a workgroup of 256 costs far more).
override RS: u32;
override RL: u32;

var<workgroup> part: array<f32, RS * RL>;
var<workgroup> squares: array<f32, RS>;

@compute @workgroup_size(RS * RL)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  // Past 65535 workgroups (n > 2 097 120) the grid has a second dimension.
  let w = wid.y * nwg.x + wid.x;
  let si = lid % RS;
  let lane = lid / RS;
  let i = w * RS + si;
  var s = 0.0;
  if (i < dims.n) {
    for (var c = lane; c < dims.chunks; c += RL) { s += partials[c * dims.n + i]; }
  }
  part[lid] = s;
  workgroupBarrier();
  // Each sample's lanes, then the samples' squares, are summed in order by one thread: on CPU
  // drivers a barrier costs more than these short serial sums (on GPUs: unmeasured).
  if (lane == 0u) {
    var sq = 0.0;
    if (i < dims.n) {
      var t = 0.0;
      for (var l = 0u; l < RL; l++) { t += part[l * RS + si]; }
      let ri = dims.kappa * t - y[i];
      r[i] = ri;
      sq = ri * ri;
    }
    squares[si] = sq;
  }
  workgroupBarrier();
  if (lid == 0u && w < dims.loss_parts) {
    var L = 0.0;
    for (var k = 0u; k < RS; k++) { L += squares[k]; }
    status.loss_parts[w] = L;
  }
}
