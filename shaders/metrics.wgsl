// One logged row from the chunk sums (fixed-order tree over chunks), appended to the log
// at status.rows. While a run is halted only the closing record (mode.record = 1) is kept.
// Row layout (ROW_WORDS words): step, halt, then STATE_COLUMNS of src/model/metrics.ts in order (STATE_COUNT of them).

struct Mode { record: u32, _pad0: u32, _pad1: u32, _pad2: u32 }


// The tree runs one column at a time: SwiftShader's compile time grows with a kernel's workgroup
// memory (about 0.1 s per KiB: 1 s for all columns at once).
var<workgroup> part: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  var acc: array<f32, STAT_COUNT>;
  for (var c = lid; c < dims.chunks; c += 256u) {
    for (var s = 0u; s < STAT_COUNT; s++) {
      let v = chunk_stats[c * STAT_COUNT + s];
      if (stat_is_max(s)) { acc[s] = max(acc[s], v); } else { acc[s] += v; }
    }
  }
  for (var s = 0u; s < STAT_COUNT; s++) {
    // Each round waits for the last one's reads of part.
    workgroupBarrier();
    part[lid] = acc[s];
    for (var half = 128u; half > 0u; half >>= 1u) {
      workgroupBarrier();
      if (lid < half) { part[lid] = combine_stat(s, part[lid], part[lid + half]); }
    }
    // Lane 0's own last write.
    acc[s] = part[lid];
  }
  let halt = atomicLoad(&status.halt);
  if (lid != 0u || (halt != HALT_RUNNING && mode.record == 0u) || status.rows >= dims.row_cap) { return; }
  let v = state_values(acc, status.loss, status.loss0, f32(dims.n), f32(dims.m));
  let o = status.rows * ROW_WORDS;
  rows[o] = status.step;
  rows[o + 1u] = halt;
  for (var k = 0u; k < STATE_COUNT; k++) { rows[o + 2u + k] = bitcast<u32>(v[k]); }
  status.rows += 1u;
}
