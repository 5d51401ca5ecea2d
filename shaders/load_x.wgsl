// x_i as D4 vec4s in registers (a loop the host writes out, so the array stays in registers
// on SwiftShader), for kernels with one thread per sample.

fn load_x(i: u32) -> array<vec4<f32>, D4> {
  var x: array<vec4<f32>, D4>;
  /* unroll */ for (var k = 0u; k < D4; k++) { x[k] = X[i * D4 + k]; }
  return x;
}
