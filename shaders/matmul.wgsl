// The benchmark's yardstick, variant for CPU drivers: Z = X Wᵀ for one slice of neurons
// (n × cols), the same product the forward pass forms, register-blocked without workgroup
// memory (barriers cost more than sharing saves on CPU drivers). Each thread computes a 4×4
// block, reusing every vec4 it loads four times.

struct MatmulDims { n: u32, cols: u32, first: u32, _pad: u32 }


@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c0 = gid.x * 4u;
  let i0 = gid.y * 4u;
  if (c0 >= md.cols || i0 >= md.n) { return; }
  let cl = md.first + md.cols - 1u;
  let acc = register_block(min(vec4<u32>(i0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(md.n - 1u)),
                           min(vec4<u32>(md.first + c0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(cl)));
  for (var r = 0u; r < 4u; r++) {
    for (var c = 0u; c < 4u; c++) {
      if (i0 + r < md.n && c0 + c < md.cols) { Z[(i0 + r) * md.cols + c0 + c] = acc[r][c]; }
    }
  }
}
