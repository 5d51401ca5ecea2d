// Partial outputs: for sample i and chunk c of this block, Σ_{r in c} a_r relu(⟨w_r, x_i⟩).
// Pre-activations are recomputed, never stored (no n×m buffer). One thread per (i, chunk):
// x_i stays in registers, each w_r is read by all threads of the workgroup at once.

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<uniform> block: Block;
@group(0) @binding(2) var<storage, read> X: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> W: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> a: array<f32>;
@group(0) @binding(5) var<storage, read> status: Status;
@group(0) @binding(6) var<storage, read_write> partials: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  // A halted run keeps its state: the partials already hold this state's values.
  if (i >= dims.n || status.halt != HALT_RUNNING) { return; }
  var x: array<vec4<f32>, D4>;
  for (var k = 0u; k < D4; k++) { x[k] = X[i * D4 + k]; }
  let first = gid.y * dims.q;
  let last = min(first + dims.q, block.count);
  var acc = 0.0;
  for (var r = first; r < last; r++) {
    var z4 = vec4<f32>(0.0);
    for (var k = 0u; k < D4; k++) { z4 += x[k] * W[r * D4 + k]; }
    let z = (z4.x + z4.y) + (z4.z + z4.w);
    acc += a[r] * max(z, 0.0);
  }
  partials[(block.chunk_offset + gid.y) * dims.n + i] = acc;
}
