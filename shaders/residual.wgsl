// r_i = κ Σ_c partials[c][i] − y_i, summed over chunks in a fixed order, and each
// workgroup's Σ r_i² (a fixed tree) for loss.wgsl. Bit-reproducible: no atomics.

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> r: array<f32>;
@group(0) @binding(4) var<storage, read_write> loss_parts: array<f32>;

var<workgroup> sq: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>) {
  let i = gid.x;
  var ri = 0.0;
  if (i < dims.n) {
    var s = 0.0;
    for (var c = 0u; c < dims.chunks; c++) { s += partials[c * dims.n + i]; }
    ri = dims.kappa * s - y[i];
    r[i] = ri;
  }
  sq[lid] = ri * ri;
  for (var half = 128u; half > 0u; half >>= 1u) {
    workgroupBarrier();
    if (lid < half) { sq[lid] += sq[lid + half]; }
  }
  if (lid == 0u) { loss_parts[wid.x] = sq[0]; }
}
