// The forward-mode derivative of forward.wgsl's partial sums, for the tangent-kernel product
// H v = J diag(η) Jᵀ v (backward_update_vjp.wgsl gives Jᵀv = (U, ua)):
//   Σ_{r in c} η_W a_r [z_ir > 0] ⟨u_r, x_i⟩ + η_a ua_r relu(z_ir).
// residual.wgsl then sums the chunks (with y = 0) and applies κ.

struct Rates { eta_w: f32, eta_a: f32, _pad0: f32, _pad1: f32 }

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= dims.n) { return; }
  var x = load_x(i);
  let first = gid.y * dims.q;
  let last = min(first + dims.q, block.count);
  var acc = 0.0;
  for (var r = first; r < last; r++) {
    var z4 = vec4<f32>(0.0);
    var t4 = vec4<f32>(0.0);
    /* unroll */ for (var k = 0u; k < D4; k++) {
      z4 += x[k] * W[r * D4 + k];
      t4 += x[k] * U[r * D4 + k];
    }
    let z = hsum(z4);
    if (z > 0.0) {
      acc += rates.eta_w * a[r] * hsum(t4) + rates.eta_a * ua[r] * z;
    }
  }
  partials[(block.chunk_offset + gid.y) * dims.n + i] = acc;
}
