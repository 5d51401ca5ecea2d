// X row i: d draws of N(0,1) (lane k), optionally scaled to unit length; padded with zeros
// to D4 vec4s. One thread per row.


@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.count) { return; }
  var norm2 = 0.0;
  for (var k4 = 0u; k4 < D4; k4++) {
    var v = vec4<f32>(0.0);
    for (var c = 0u; c < 4u; c++) {
      let k = k4 * 4u + c;
      if (k < p.d) { v[c] = rng_gaussian(p.seed, p.stream_a, i, k); }
    }
    norm2 += dot(v, v);
    X[i * D4 + k4] = v;
  }
  if (p.flag == 1u) {
    let s = 1.0 / sqrt(norm2);
    for (var k4 = 0u; k4 < D4; k4++) { X[i * D4 + k4] *= s; }
  }
}
