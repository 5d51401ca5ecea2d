// r_i = κ Σ_c partials[c][i] − y_i and each workgroup's Σ r_i² for loss.wgsl.
// A workgroup takes RS samples; for each, RL lanes sum every RL-th chunk (so a sample's
// chunks are read in parallel, not in one serial loop of up to 256 loads), then the lanes
// and the samples are combined by fixed trees. Bit-reproducible: no atomics.

const RS: u32 = 32u;   // samples per workgroup (consecutive: coalesced reads of partials)
const RL: u32 = 8u;    // chunk lanes per sample

// Bindings dims, partials, y, r, status (its loss_parts): the step's (STEP_DECLARATIONS in src/gpu/program.ts).

var<workgroup> part: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  // Past 65535 workgroups (n > 2 097 120) the grid has a second dimension.
  let w = wid.y * nwg.x + wid.x;
  let si = lid % RS;
  let lane = lid / RS;
  let i = w * RS + si;
  var s = 0.0;
  if (i < dims.n) {
    for (var c = lane; c < dims.chunks; c += RL) { s += partials[c * dims.n + i]; }
  }
  part[lid] = s;
  // Lanes: part[lane·RS + si], summed pairwise (4 → 2 → 1 rows of RS).
  for (var half = RL / 2u; half > 0u; half >>= 1u) {
    workgroupBarrier();
    if (lane < half) { part[lid] += part[lid + half * RS]; }
  }
  workgroupBarrier();
  var sq = 0.0;
  if (lane == 0u && i < dims.n) {
    let ri = dims.kappa * part[si] - y[i];
    r[i] = ri;
    sq = ri * ri;
  }
  workgroupBarrier();
  if (lane == 0u) { part[si] = sq; }
  for (var half = RS / 2u; half > 0u; half >>= 1u) {
    workgroupBarrier();
    if (lid < half) { part[lid] += part[lid + half]; }
  }
  if (lid == 0u && w < dims.loss_parts) { status.loss_parts[w] = part[0]; }
}
