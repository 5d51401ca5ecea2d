// backward=masked's product over the mask, shared by its update (backward_update_masked.wgsl)
// and its logging pass (masked_gradient_norms.wgsl):
//   g_r = Σ_i r_i [z_ir > 0] x_i
// register-blocked like matmul.wgsl: a thread holds one vec4 of g for each of a group's NB = 16
// neurons, in four 4×4 blocks (a loop the host writes out: SwiftShader does not unroll loops,
// and an array indexed in one would live in memory), and walks the samples, using each x vec4
// it loads 16 times. D4 threads share a group's d dims (hence d ≤ 256; neighbouring threads
// take different groups and the same x).
// The mask's layout: mask_word and mask_bits in common.wgsl. A chunk's words are its own (q is
// a power of 2 ≥ 16), so forward threads of different chunks never share one.

const NG: u32 = 64u / D4;       // groups per workgroup

/// Thread lid's group of workgroup wid: its index in the workgroup, its vec4 of d (kt), its first
/// neuron, and whether it holds a part of the product (threads past D4·NG or the block's end do not).
struct MaskedGroup { group: u32, kt: u32, r0: u32, owns: bool }

fn masked_group(lid: u32, wid: u32) -> MaskedGroup {
  let group = lid % NG;
  let kt = lid / NG;
  let r0 = (wid * NG + group) * NB;
  return MaskedGroup(group, kt, r0, kt < D4 && r0 < block.count);
}

/// g[h][c]: the thread's vec4 of g for neuron 4h + c of its group (zero where it owns none).
fn masked_gradient(gr: MaskedGroup) -> array<mat4x4<f32>, 4> {
  // The group's 16 bits of sample i: word mask_word(r0, i, …) = words + i (r0 and r0 + 15 share it).
  let words = mask_word(min(gr.r0, block.count - 1u), 0u, dims.n, dims.q);
  let shift = gr.r0 % mask_bits(dims.q);
  var g: array<mat4x4<f32>, 4>;
  if (gr.owns) {
    for (var i = 0u; i < dims.n; i++) {
      let bits = vec4<u32>(mask[words + i] >> shift);
      let ri = vec4<f32>(r[i]);
      let x = X[i * D4 + gr.kt];
      /* unroll */ for (var h = 0u; h < 4u; h++) {
        let c = select(vec4<f32>(0.0), ri, (bits & (vec4<u32>(0x1u, 0x2u, 0x4u, 0x8u) << vec4<u32>(4u * h))) != vec4<u32>(0u));
        g[h] += mat4x4<f32>(c.x * x, c.y * x, c.z * x, c.w * x);
      }
    }
  }
  return g;
}
