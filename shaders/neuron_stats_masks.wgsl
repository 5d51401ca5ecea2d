// neuron_stats.wgsl's sums, variant `masks` (where backward=masked or gemm reads the mask):
// nothing is recomputed. Flips and activity come from the signs the forward pass of this state
// left in `mask` against those of the initialization in `mask0` (mask_word's layout, common.wgsl):
// neuron j's flips are the bits j % B of mask ⊕ mask0 over its n words, its activity any bit j % B
// of mask. The norms are read from W and W0 as in `simple`. The gradient norm is left 0 here: the
// backward's logging pass (backward_update_gemm.wgsl's LOG, masked_gradient_norms.wgsl) writes
// STAT_GRAD2 after this kernel, from its own product. One thread per neuron.

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  if (j >= block.count) { return; }
  var s: NeuronSums;
  /* unroll */ for (var k = 0u; k < D4; k++) {
    let w = W[j * D4 + k];
    let w0 = W0[j * D4 + k];
    let dw = w - w0;
    s.dw2 += dot(dw, dw);
    s.w02 += dot(w0, w0);
    s.w2 += dot(w, w);
  }
  let words = mask_word(j, 0u, dims.n, dims.q);
  let bit = j % mask_bits(dims.q);
  var any = 0u;
  for (var i = 0u; i < dims.n; i++) {
    let now = mask[words + i];
    s.flips += ((now ^ mask0[words + i]) >> bit) & 1u;
    any |= now;
  }
  s.is_active = (any >> bit) & 1u;
  write_stats(j, s);
}
