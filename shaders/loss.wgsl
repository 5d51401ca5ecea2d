// L = ½ Σ r² from residual.wgsl's workgroup sums (fixed order), and the halting rule,
// the twin of haltCode() in src/reference/loss.ts. One workgroup.

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> loss_parts: array<f32>;
@group(0) @binding(2) var<storage, read_write> status: Status;

var<workgroup> part: array<f32, 256>;

fn is_finite(x: f32) -> bool {
  // Checked on the bits: compilers may assume floats are finite in comparisons.
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  for (var j = lid; j < dims.loss_parts; j += 256u) { s += loss_parts[j]; }
  part[lid] = s;
  for (var half = 128u; half > 0u; half >>= 1u) {
    workgroupBarrier();
    if (lid < half) { part[lid] += part[lid + half]; }
  }
  if (lid == 0u && status.halt == HALT_RUNNING) {
    let L = 0.5 * part[0];
    if (status.step == 0u) { status.loss0 = L; }
    status.loss = L;
    let L0 = status.loss0;
    if (!is_finite(L) || L > dims.diverge_at * L0) {
      status.halt = HALT_DIVERGED;
    } else if (L < dims.eps * L0) {
      if (status.eps_step == 0u) { status.eps_step = status.step + 1u; }
      if (dims.stop_at_eps == 1u) { status.halt = HALT_CONVERGED; }
    }
  }
}
