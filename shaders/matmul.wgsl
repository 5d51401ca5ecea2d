// The benchmark's yardstick, variant for CPU drivers: Z = X Wᵀ for one slice of neurons
// (n × cols), the same product the forward pass forms, register-blocked without workgroup
// memory (barriers cost more than sharing saves on CPU drivers). Each thread computes a 4×8
// block, as the blocked forward does, reusing every x vec4 it loads eight times.

struct MatmulDims { n: u32, cols: u32, first: u32, _pad: u32 }

@group(0) @binding(0) var<uniform> md: MatmulDims;
@group(0) @binding(1) var<storage, read> X: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> W: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> Z: array<f32>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c0 = gid.x * 8u;
  let i0 = gid.y * 4u;
  if (c0 >= md.cols || i0 >= md.n) { return; }
  // acc[r][h]: row i0 + r, columns c0 + 4h … c0 + 4h + 3.
  var acc: array<array<vec4<f32>, 2>, 4>;
  for (var r = 0u; r < 4u; r++) {
    for (var h = 0u; h < 2u; h++) { acc[r][h] = vec4<f32>(0.0); }
  }
  for (var k = 0u; k < D4; k++) {
    var w: array<vec4<f32>, 8>;
    for (var c = 0u; c < 8u; c++) { w[c] = W[(md.first + min(c0 + c, md.cols - 1u)) * D4 + k]; }
    for (var r = 0u; r < 4u; r++) {
      let x = X[min(i0 + r, md.n - 1u) * D4 + k];
      for (var h = 0u; h < 2u; h++) {
        acc[r][h] += vec4<f32>(dot(x, w[4u * h]), dot(x, w[4u * h + 1u]), dot(x, w[4u * h + 2u]), dot(x, w[4u * h + 3u]));
      }
    }
  }
  for (var r = 0u; r < 4u; r++) {
    for (var c = 0u; c < 8u; c++) {
      if (i0 + r < md.n && c0 + c < md.cols) { Z[(i0 + r) * md.cols + c0 + c] = acc[r][c / 4u][c % 4u]; }
    }
  }
}
