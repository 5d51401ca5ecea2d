// Jᵀv for one block: backward_update.wgsl's gradients with the residual replaced by v (bound
// as r), written to (U, ua) and not applied: the half of the tangent-kernel product
// H v = J diag(η) Jᵀ v that forward_jvp.wgsl completes.

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  if (j >= block.count) { return; }
  var w: array<vec4<f32>, D4>;
  /* unroll */ for (var k = 0u; k < D4; k++) { w[k] = W[j * D4 + k]; }
  let grad = neuron_gradient(&w);
  let ca = dims.kappa * a[j];
  /* unroll */ for (var k = 0u; k < D4; k++) { U[j * D4 + k] = ca * grad.g[k]; }
  ua[j] = dims.kappa * grad.ga;
}
