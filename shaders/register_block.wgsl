// A 4×4 block of X·Wᵀ over all d (samples i, neurons j), with no workgroup memory: the inner
// product of the CPU-driver kernels (forward_blocked.wgsl, the yardstick matmul.wgsl). Written
// out, not indexed in loops: SwiftShader keeps loop-indexed arrays in memory (twice as slow here).
// Column s of the result holds sample i[s] against neurons j.
fn register_block(i: vec4<u32>, j: vec4<u32>) -> mat4x4<f32> {
  var z0 = vec4<f32>(0.0);
  var z1 = vec4<f32>(0.0);
  var z2 = vec4<f32>(0.0);
  var z3 = vec4<f32>(0.0);
  for (var k = 0u; k < D4; k++) {
    let w0 = W[j.x * D4 + k];
    let w1 = W[j.y * D4 + k];
    let w2 = W[j.z * D4 + k];
    let w3 = W[j.w * D4 + k];
    let x0 = X[i.x * D4 + k];
    let x1 = X[i.y * D4 + k];
    let x2 = X[i.z * D4 + k];
    let x3 = X[i.w * D4 + k];
    z0 += vec4<f32>(dot(x0, w0), dot(x0, w1), dot(x0, w2), dot(x0, w3));
    z1 += vec4<f32>(dot(x1, w0), dot(x1, w1), dot(x1, w2), dot(x1, w3));
    z2 += vec4<f32>(dot(x2, w0), dot(x2, w1), dot(x2, w2), dot(x2, w3));
    z3 += vec4<f32>(dot(x3, w0), dot(x3, w1), dot(x3, w2), dot(x3, w3));
  }
  return mat4x4<f32>(z0, z1, z2, z3);
}
