// L = ½ Σ r², its record in the status buffer, and the halting rule (shaders/halting.wgsl).
// One workgroup. Dispatched when the engine starts (where it sets L0) and at logged steps,
// where metrics.wgsl reads it; on other steps backward_update applies the same rule itself.


@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32) {
  let L = workgroup_loss(lid);
  if (lid == 0u && atomicLoad(&status.halt) == HALT_RUNNING) {
    if (status.step == 0u) { status.loss0 = L; }
    record_loss(L, halt_code(L, status.loss0));
  }
}
