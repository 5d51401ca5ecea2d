// Labels y_i: ±1 (flag = 1) or N(0,1), from their own stream. One thread per sample.


@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.count) { return; }
  y[i] = select(rng_gaussian(p.seed, p.stream_a, i, 0u), rng_sign(p.seed, p.stream_a, i, 0u), p.flag == 1u);
}
