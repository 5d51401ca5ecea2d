// Sums the per-neuron statistics of each chunk of this block (the maximum for stat_is_max),
// neuron by neuron in index order. One thread per chunk.


@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  let first = c * dims.q;
  if (first >= block.count) { return; }
  let last = min(first + dims.q, block.count);
  var acc: array<f32, STAT_COUNT>;
  for (var j = first; j < last; j++) {
    for (var s = 0u; s < STAT_COUNT; s++) {
      let v = stats[j * STAT_COUNT + s];
      if (stat_is_max(s)) { acc[s] = max(acc[s], v); } else { acc[s] += v; }
    }
  }
  let o = (block.chunk_offset + c) * STAT_COUNT;
  for (var s = 0u; s < STAT_COUNT; s++) { chunk_stats[o + s] = acc[s]; }
}
