// L = ½ Σ r² from residual.wgsl's per-workgroup sums, and the halting rule (the twin of
// haltCode() in src/reference/loss.ts). Shared by loss.wgsl and both backward_update
// kernels, so that every workgroup reduces in the same order and reaches the same decision.

const LOSS_LANES: u32 = 64u;
var<workgroup> loss_lane: array<f32, LOSS_LANES>;
var<workgroup> loss0_shared: f32;
var<workgroup> halt_shared: u32;

/// L of the current residual, returned to every invocation: lane l sums parts l, l + 64, …,
/// then a fixed tree over the lanes. Call in uniform control flow with lid < 64 for the lanes.
fn workgroup_loss(lid: u32) -> f32 {
  if (lid < LOSS_LANES) {
    var s = 0.0;
    for (var j = lid; j < dims.loss_parts; j += LOSS_LANES) { s += status.loss_parts[j]; }
    loss_lane[lid] = s;
  }
  for (var half = LOSS_LANES / 2u; half > 0u; half >>= 1u) {
    workgroupBarrier();
    if (lid < half) { loss_lane[lid] += loss_lane[lid + half]; }
  }
  return 0.5 * workgroupUniformLoad(&loss_lane[0]);
}

/// The halting rule with the run's settings (shaders/halt_rule.wgsl).
fn halt_code(L: f32, L0: f32) -> u32 {
  return halt_rule(L, L0, dims.eps, dims.diverge_at, dims.stop_at_eps == 1u);
}

struct LossCheck { L: f32, code: u32 }

/// L and the verdict, uniform across the workgroup (barriers may follow): the run's halt code
/// if it had halted, else the rule's against L0. The rule alone would do (a halted run's state
/// is frozen, so the rule that halted it still holds); the halt code also covers a driver whose
/// two pipelines rounded the same sum differently.
fn check_loss(lid: u32) -> LossCheck {
  if (lid == 0u) {
    loss0_shared = status.loss0;
    halt_shared = atomicLoad(&status.halt);
  }
  let L = workgroup_loss(lid);
  let halted = workgroupUniformLoad(&halt_shared);
  return LossCheck(L, select(halt_code(L, workgroupUniformLoad(&loss0_shared)), halted, halted != HALT_RUNNING));
}

/// The single writer's record of the loss at step status.step of a running run.
fn record_loss(L: f32, code: u32) {
  status.loss = L;
  if (code != HALT_DIVERGED && L < dims.eps * status.loss0 && status.eps_step == 0u) { status.eps_step = status.step + 1u; }
  atomicStore(&status.halt, code);
}

/// The step's halting decision, reached by every workgroup of a backward kernel: the verdict
/// of check_loss, which the run's one `writer` invocation records, counting the step where the
/// run goes on. Call in uniform control flow.
fn halting_step(lid: u32, writer: bool) -> u32 {
  let check = check_loss(lid);
  if (writer && atomicLoad(&status.halt) == HALT_RUNNING) {
    record_loss(check.L, check.code);
    if (check.code == HALT_RUNNING) { status.step += 1u; }
  }
  return check.code;
}
