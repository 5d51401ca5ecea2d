// Partial outputs: for sample i and chunk c of this block, Σ_{r in c} a_r relu(⟨w_r, x_i⟩).
// Pre-activations are recomputed, never stored (no n×m buffer). This variant (`simple`): one
// thread per (i, chunk): x_i stays in registers, each w_r is read by all threads of the
// workgroup at once. forward_blocked.wgsl and forward_tiled.wgsl are the CPU-driver and GPU
// variants, forward_jvp.wgsl the forward-mode derivative; residual.wgsl then sums the chunks
// and applies κ.
// With WRITE_MASK, `simple` and `blocked` also leave the signs [z_ir > 0] for the `masked`
// backward_update (word layout: mask_word in common.wgsl): n·m bits, at most the size of W.

override WRITE_MASK: bool = false;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  // A halted run keeps its state: the partials already hold this state's values.
  if (i >= dims.n || atomicLoad(&status.halt) != HALT_RUNNING) { return; }
  var x = load_x(i);
  let first = gid.y * dims.q;
  let last = min(first + dims.q, block.count);
  let B = mask_bits(dims.q);
  var acc = 0.0;
  var bits = 0u;
  for (var r = first; r < last; r++) {
    var z4 = vec4<f32>(0.0);
    /* unroll */ for (var k = 0u; k < D4; k++) { z4 += x[k] * W[r * D4 + k]; }
    let z = hsum(z4);
    acc += a[r] * max(z, 0.0);
    if (WRITE_MASK) {
      bits |= select(0u, 1u, z > 0.0) << (r % B);
      if ((r + 1u) % B == 0u || r + 1u == last) {
        mask[mask_word(r, i, dims.n, dims.q)] = bits;
        bits = 0u;
      }
    }
  }
  partials[(block.chunk_offset + gid.y) * dims.n + i] = acc;
}
