// Sums the per-neuron statistics of each chunk of this block (the maximum for stat_is_max),
// neuron by neuron in index order. One thread per chunk.

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<uniform> block: Block;
@group(0) @binding(2) var<storage, read> stats: array<f32>;
@group(0) @binding(3) var<storage, read_write> chunk_stats: array<f32>;

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
