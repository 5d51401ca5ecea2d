// Sums across adjacent lanes by subgroup shuffles (forward_gemm.wgsl's epilogue; the fallback
// where the device has no subgroups is lanes_memory.wgsl). LANE_GROUP is the adapter's smallest
// subgroup size, set by the host (src/gpu/kernels/forward.ts), so that the lanes a butterfly
// spans, and with them the order of its additions, do not depend on the size the driver picks.

const LANE_GROUP: u32 = SUBGROUP_MIN;

fn lane_swap_f32(v: f32, k: u32) -> f32 { return subgroupShuffleXor(v, k); }
fn lane_swap_u32(v: u32, k: u32) -> u32 { return subgroupShuffleXor(v, k); }

/**
 * Whether this invocation's subgroup holds its LANE_GROUP neighbours in local_invocation_index
 * order (invocation lid ^ k answers a shuffle by k), as the butterflies assume. Neither WGSL nor
 * Vulkan promises that layout; where a driver breaks it, the kernel sums through memory alone.
 * Every invocation of the subgroup must call it (no short-circuit around the shuffles).
 */
fn lanes_adjacent(lid: u32) -> bool {
  var ok = subgroupAdd(1u) >= LANE_GROUP;
  for (var k = 1u; k < LANE_GROUP; k *= 2u) { ok = ok & (subgroupShuffleXor(lid, k) == (lid ^ k)); }
  return ok;
}
