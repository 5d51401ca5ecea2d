// Sums the per-neuron statistics of each chunk of this block (the maximum for stat_is_max).
// L lanes per chunk (a power of 2 set by the host from q: chunkLanes in
// src/gpu/kernels/chunk_reduce.ts), 64 / L chunks per workgroup: lane l takes neurons l, l + L,
// l + 2L, … of its chunk in index order, then lane 0 adds the other lanes' sums in lane order. The order
// depends on q alone (so on m, not on how neurons are blocked or scheduled): the same bits every
// run; with one lane (q = 16, m ≤ 4096) the chunk is summed in index order.

// The lanes are combined one column at a time (SwiftShader's compile time grows with a kernel's
// workgroup memory, about 0.1 s per KiB), by one lane rather than a tree (SwiftShader's barriers
// are slow: a tree of 64 lanes took twice as long at m = 2^18).

override L: u32 = 1u;

var<workgroup> part: array<f32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let lane = lid % L;
  let c = wid.x * (64u / L) + lid / L;
  let first = c * dims.q;
  let last = min(first + dims.q, block.count);
  var acc: array<f32, STAT_COUNT>;
  for (var j = first + lane; j < last; j += L) {
    for (var s = 0u; s < STAT_COUNT; s++) {
      let v = stats[j * STAT_COUNT + s];
      if (stat_is_max(s)) { acc[s] = max(acc[s], v); } else { acc[s] += v; }
    }
  }
  for (var s = 0u; s < STAT_COUNT; s++) {
    // Each round waits for the last one's reads of part.
    workgroupBarrier();
    part[lid] = acc[s];
    workgroupBarrier();
    if (lane == 0u) {
      for (var t = 1u; t < L; t++) { acc[s] = combine_stat(s, acc[s], part[lid + t]); }
    }
  }
  if (lane != 0u || first >= block.count) { return; }
  let o = (block.chunk_offset + c) * STAT_COUNT;
  for (var s = 0u; s < STAT_COUNT; s++) { chunk_stats[o + s] = acc[s]; }
}
