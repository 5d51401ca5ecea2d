// Partial outputs: for sample i and chunk c of this block, Σ_{r in c} a_r relu(⟨w_r, x_i⟩).
// Pre-activations are recomputed, never stored (no n×m buffer). One thread per (i, chunk):
// x_i stays in registers, each w_r is read by all threads of the workgroup at once.
// `jvp` is the forward-mode derivative of the same sums, for the tangent-kernel product
// H v = J diag(η) Jᵀ v (backward_update.wgsl's vjp gives Jᵀv):
//   Σ_{r in c} η_W a_r [z_ir > 0] ⟨u_r, x_i⟩ + η_a ua_r relu(z_ir).
// residual.wgsl then sums the chunks (with y = 0 for jvp) and applies κ.

struct Rates { eta_w: f32, eta_a: f32, _pad0: f32, _pad1: f32 }

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<uniform> block: Block;
@group(0) @binding(2) var<storage, read> X: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> W: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> a: array<f32>;
@group(0) @binding(5) var<storage, read> status: Status;          // main only
@group(0) @binding(6) var<storage, read_write> partials: array<f32>;
@group(0) @binding(7) var<uniform> rates: Rates;                  // jvp only
@group(0) @binding(8) var<storage, read> U: array<vec4<f32>>;     // jvp only
@group(0) @binding(9) var<storage, read> ua: array<f32>;          // jvp only

fn load_x(i: u32) -> array<vec4<f32>, D4> {
  var x: array<vec4<f32>, D4>;
  for (var k = 0u; k < D4; k++) { x[k] = X[i * D4 + k]; }
  return x;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  // A halted run keeps its state: the partials already hold this state's values.
  if (i >= dims.n || status.halt != HALT_RUNNING) { return; }
  var x = load_x(i);
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

@compute @workgroup_size(64)
fn jvp(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= dims.n) { return; }
  var x = load_x(i);
  let first = gid.y * dims.q;
  let last = min(first + dims.q, block.count);
  var acc = 0.0;
  for (var r = first; r < last; r++) {
    var z4 = vec4<f32>(0.0);
    var t4 = vec4<f32>(0.0);
    for (var k = 0u; k < D4; k++) {
      z4 += x[k] * W[r * D4 + k];
      t4 += x[k] * U[r * D4 + k];
    }
    let z = (z4.x + z4.y) + (z4.z + z4.w);
    if (z > 0.0) {
      acc += rates.eta_w * a[r] * ((t4.x + t4.y) + (t4.z + t4.w)) + rates.eta_a * ua[r] * z;
    }
  }
  partials[(block.chunk_offset + gid.y) * dims.n + i] = acc;
}
