// Both gradients of neuron r at the current point (one thread per neuron):
//   ∇w_r = κ a_r Σ_i c_i [z_ir > 0] x_i,   ∇a_r = κ Σ_i c_i relu(z_ir),   z_ir = ⟨w_r, x_i⟩ recomputed,
// with c = r. `main` applies both updates (a GD step) unless the halting rule stops the run at
// this state (shaders/halting.wgsl, on residual.wgsl's sums: no separate loss dispatch per
// step); backward_update_vjp.wgsl writes them out with c = v instead (Jᵀv).
// The sum over samples runs in a fixed order, so a step is bit-reproducible.

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let j = gid.x;
  // Every workgroup reaches the writer's decision (halting.wgsl's check_loss); the writer records it.
  let code = halting_step(lid, block.first == 1u && j == 0u);
  if (j >= block.count || code != HALT_RUNNING) { return; }
  var w: array<vec4<f32>, D4>;
  /* unroll */ for (var k = 0u; k < D4; k++) { w[k] = W[j * D4 + k]; }
  let grad = neuron_gradient(&w);
  let aj = a[j];
  let cw = dims.eta_w * dims.kappa * aj;
  /* unroll */ for (var k = 0u; k < D4; k++) { W[j * D4 + k] = w[k] - cw * grad.g[k]; }
  a[j] = aj - dims.eta_a * dims.kappa * grad.ga;
}
