// A batched run's state as batch_train.wgsl and batch_monitor.wgsl read it, and where it stands
// in its log.

var<workgroup> state_sh: BatchState;

/// Run b's state, read by invocation 0 and handed to every invocation. Call in uniform control flow.
fn load_state(b: u32, lid: u32) -> BatchState {
  if (lid == 0u) { state_sh = state[b]; }
  return workgroupUniformLoad(&state_sh);
}

/// The state at the submit's first dispatch (params.epoch new to it): its steps and rows anew.
fn begin_submit(state_in: BatchState) -> BatchState {
  var st = state_in;
  if (st.epoch != params.epoch) {
    st.epoch = params.epoch;
    st.left = params.count;
    st.rows = 0u;
  }
  return st;
}

/// Whether the run stands at its next logged step.
fn at_logged_step(run: BatchRun, st: BatchState) -> bool {
  return st.log_index < run.log_count && logged[run.log_off + st.log_index] == st.step;
}

/// Whether the run waits for the monitor: at a logged step whose state it has not measured.
fn awaits_monitor(run: BatchRun, st: BatchState) -> bool {
  return st.done == 0u && run.products > 0u && st.measured_at != st.step + 1u && at_logged_step(run, st);
}
