// Partial sums of (J diag(η) u) for sample i and chunk c of this block, one thread per
// (i, chunk) as in forward.wgsl: Σ_{r in c} η_W a_r [z_ir > 0] ⟨u_r, x_i⟩ + η_a ua_r relu(z_ir).
// residual.wgsl with y = 0 then sums the chunks and applies κ.

struct Rates { eta_w: f32, eta_a: f32, _pad0: f32, _pad1: f32 }

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<uniform> block: Block;
@group(0) @binding(2) var<uniform> rates: Rates;
@group(0) @binding(3) var<storage, read> X: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> W: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> a: array<f32>;
@group(0) @binding(6) var<storage, read> U: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> ua: array<f32>;
@group(0) @binding(8) var<storage, read_write> partials: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= dims.n) { return; }
  var x: array<vec4<f32>, D4>;
  for (var k = 0u; k < D4; k++) { x[k] = X[i * D4 + k]; }
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
