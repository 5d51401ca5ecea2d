// forward.wgsl's partial outputs, variant `blocked` (for CPU drivers): a thread takes 4
// samples of one chunk and walks the chunk 4 neurons at a time, each step a 4×4 block of z from 4 x and 4 w vec4s, as the
// register-blocked matmul.wgsl does (one thread per sample holds all of x_i, which CPU
// drivers spill at d = 128).
// WRITE_MASK as in forward.wgsl.
override WRITE_MASK: bool = false;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i0 = gid.x * 4u;
  if (i0 >= dims.n || atomicLoad(&status.halt) != HALT_RUNNING) { return; }
  let first = gid.y * dims.q;
  let last = min(first + dims.q, block.count);
  let B = mask_bits(dims.q);
  var acc = vec4<f32>(0.0);
  var bits = vec4<u32>(0u);
  for (var r = first; r < last; r += 4u) {
    let z = register_block(min(vec4<u32>(i0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(dims.n - 1u)),
                           min(vec4<u32>(r) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(last - 1u)));
    // Neurons past the chunk's end get a = 0.
    var av = vec4<f32>(0.0);
    /* unroll */ for (var c = 0u; c < 4u; c++) { if (r + c < last) { av[c] = a[r + c]; } }
    /* unroll */ for (var s = 0u; s < 4u; s++) { acc[s] += dot(av, max(z[s], vec4<f32>(0.0))); }
    if (WRITE_MASK) {
      // Neurons past the chunk's end get bit 0 (B is a multiple of 4, so r % B + 3 < B).
      let live = vec4<u32>(r) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(last);
      /* unroll */ for (var s = 0u; s < 4u; s++) {
        let on = vec4<u32>(live & (z[s] > vec4<f32>(0.0))) * vec4<u32>(1u, 2u, 4u, 8u);
        bits[s] |= (on.x | on.y | on.z | on.w) << (r % B);
      }
      if ((r + 4u) % B == 0u || r + 4u >= last) {
        /* unroll */ for (var s = 0u; s < 4u; s++) {
          if (i0 + s < dims.n) { mask[mask_word(r, i0 + s, dims.n, dims.q)] = bits[s]; }
        }
        bits = vec4<u32>(0u);
      }
    }
  }
  /* unroll */ for (var s = 0u; s < 4u; s++) {
    if (i0 + s < dims.n) { partials[(block.chunk_offset + gid.y) * dims.n + i0 + s] = acc[s]; }
  }
}
