// Both gradients of neuron r at the current point (one thread per neuron):
//   ∇w_r = κ a_r Σ_i c_i [z_ir > 0] x_i,   ∇a_r = κ Σ_i c_i relu(z_ir),   z_ir = ⟨w_r, x_i⟩ recomputed,
// with c = r. `main` applies both updates (a GD step) unless the halting rule stops the run at
// this state (shaders/halting.wgsl, on residual.wgsl's sums: no separate loss dispatch per
// step); `vjp` writes them out with c = v,
// which is Jᵀv, the half of the tangent-kernel product H v = J diag(η) Jᵀ v that forward.wgsl's jvp completes.
// The sum over samples runs in a fixed order, so a step is bit-reproducible.

// The step's bindings (dims, block, X, r, W, a, status) are declared by the host
// (STEP_DECLARATIONS in src/gpu/program.ts); vjp binds v as r, and its outputs follow.
@group(0) @binding(11) var<storage, read_write> U: array<vec4<f32>>;
@group(0) @binding(12) var<storage, read_write> ua: array<f32>;

struct Gradient {
  g: array<vec4<f32>, D4>,   // Σ_i c_i [z_ir > 0] x_i
  ga: f32,                   // Σ_i c_i relu(z_ir)
}

fn neuron_gradient(w: ptr<function, array<vec4<f32>, D4>>) -> Gradient {
  var out: Gradient;
  for (var i = 0u; i < dims.n; i++) {
    var z4 = vec4<f32>(0.0);
    /* unroll */ for (var k = 0u; k < D4; k++) { z4 += (*w)[k] * X[i * D4 + k]; }
    let z = hsum(z4);
    if (z > 0.0) {
      let ci = r[i];
      /* unroll */ for (var k = 0u; k < D4; k++) { out.g[k] += ci * X[i * D4 + k]; }
      out.ga += ci * z;
    }
  }
  return out;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let j = gid.x;
  // Every workgroup reaches the writer's decision (halting.wgsl's check_loss); the writer records it.
  let check = check_loss(lid);
  let code = check.code;
  if (block.first == 1u && j == 0u && atomicLoad(&status.halt) == HALT_RUNNING) {
    record_loss(check.L, code);
    if (code == HALT_RUNNING) { status.step += 1u; }
  }
  if (j >= block.count || code != HALT_RUNNING) { return; }
  var w: array<vec4<f32>, D4>;
  /* unroll */ for (var k = 0u; k < D4; k++) { w[k] = W[j * D4 + k]; }
  let grad = neuron_gradient(&w);
  let aj = a[j];
  let cw = dims.eta_w * dims.kappa * aj;
  /* unroll */ for (var k = 0u; k < D4; k++) { W[j * D4 + k] = w[k] - cw * grad.g[k]; }
  a[j] = aj - dims.eta_a * dims.kappa * grad.ga;
}

@compute @workgroup_size(64)
fn vjp(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  if (j >= block.count) { return; }
  var w: array<vec4<f32>, D4>;
  /* unroll */ for (var k = 0u; k < D4; k++) { w[k] = W[j * D4 + k]; }
  let grad = neuron_gradient(&w);
  let ca = dims.kappa * a[j];
  /* unroll */ for (var k = 0u; k < D4; k++) { U[j * D4 + k] = ca * grad.g[k]; }
  ua[j] = dims.kappa * grad.ga;
}
