// Neuron r (global index offset + j): w_r = scale_a·N(0, I_d), a_r = scale_b·N(0,1) or ±scale_b.
// Draws are indexed by the global neuron index, so blocks do not change them.


@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  if (j >= p.count) { return; }
  let r = p.offset + j;
  for (var k4 = 0u; k4 < D4; k4++) {
    var v = vec4<f32>(0.0);
    for (var c = 0u; c < 4u; c++) {
      let k = k4 * 4u + c;
      if (k < p.d) { v[c] = p.scale_a * rng_gaussian(p.seed, p.stream_a, r, k); }
    }
    W[j * D4 + k4] = v;
  }
  let unit = select(rng_gaussian(p.seed, p.stream_b, r, 0u), rng_sign(p.seed, p.stream_b, r, 0u), p.flag == 1u);
  a[j] = p.scale_b * unit;
}
