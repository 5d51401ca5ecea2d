// XT, the transposed copy of X that forward_gemm.wgsl reads (X never changes, so it is made
// once, after X): XT[k·NP + i] = x_ik for k < 8·⌈D4/2⌉ (whole stages of 8 dims) and i < NP (n
// rounded up to XT_PAD), zeros past d and past n. A thread per (sample, vec4 of d).

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let np = ((dims.n + XT_PAD - 1u) / XT_PAD) * XT_PAD;
  let i = gid.x;
  let k4 = gid.y;
  if (i >= np) { return; }
  var v = vec4<f32>(0.0);
  if (i < dims.n && k4 < D4) { v = X[i * D4 + k4]; }
  /* unroll */ for (var c = 0u; c < 4u; c++) { XT[(k4 * 4u + c) * np + i] = v[c]; }
}
