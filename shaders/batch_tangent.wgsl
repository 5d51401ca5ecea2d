// H v for some runs of a batch at their current states (the host's products: --spectrum and
// setup; batch_product.wgsl). Workgroup g takes run list[g], whose v the host writes in row 0
// of its Lanczos basis (q_off) and whose H v it reads from row 1.

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let run = runs[list[wg.x]];
  tangent_product(run, lid, run.q_off, run.q_off + run.n);
}
