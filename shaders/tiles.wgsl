// For kernels that split each neuron's dims over threads and share samples through
// workgroup memory: stages samples i0 … i0 + ts − 1 of X and r into the including kernel's
// workgroup arrays `xt` and `rt`, with zero rows and r = 0 past n (they add nothing).
// Call from all 256 threads of the workgroup; the caller places the barrier after.

fn stage_samples(i0: u32, ts: u32, lid: u32) {
  for (var e = lid; e < ts * D4; e += 256u) {
    let i = i0 + e / D4;
    xt[e] = select(vec4<f32>(0.0), X[min(i, dims.n - 1u) * D4 + e % D4], i < dims.n);
  }
  if (lid < ts) { rt[lid] = select(0.0, r[min(i0 + lid, dims.n - 1u)], i0 + lid < dims.n); }
}
