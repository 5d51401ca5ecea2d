// Both gradients of neuron r at the current point, then both updates (one thread per neuron):
//   ∇w_r = κ a_r Σ_i r_i [z_ir > 0] x_i,   ∇a_r = κ Σ_i r_i relu(z_ir),   z_ir = ⟨w_r, x_i⟩ recomputed.
// The sum over samples runs in a fixed order, so a step is bit-reproducible.

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<uniform> block: Block;
@group(0) @binding(2) var<storage, read> X: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> r: array<f32>;
@group(0) @binding(4) var<storage, read_write> W: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> a: array<f32>;
@group(0) @binding(6) var<storage, read_write> status: Status;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  if (j >= block.count || status.halt != HALT_RUNNING) { return; }
  var w: array<vec4<f32>, D4>;
  var g: array<vec4<f32>, D4>;
  for (var k = 0u; k < D4; k++) { w[k] = W[j * D4 + k]; }
  var ga = 0.0;
  for (var i = 0u; i < dims.n; i++) {
    var z4 = vec4<f32>(0.0);
    for (var k = 0u; k < D4; k++) { z4 += w[k] * X[i * D4 + k]; }
    let z = (z4.x + z4.y) + (z4.z + z4.w);
    if (z > 0.0) {
      let ri = r[i];
      for (var k = 0u; k < D4; k++) { g[k] += ri * X[i * D4 + k]; }
      ga += ri * z;
    }
  }
  let aj = a[j];
  let cw = dims.eta_w * dims.kappa * aj;
  for (var k = 0u; k < D4; k++) { W[j * D4 + k] = w[k] - cw * g[k]; }
  a[j] = aj - dims.eta_a * dims.kappa * ga;
  // Other threads read only status.halt: the counter has a single writer.
  if (block.first == 1u && j == 0u) { status.step += 1u; }
}
