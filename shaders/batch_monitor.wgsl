// The stability monitor of the batched engine (twin: monitorSharpness in
// src/train/instruments.ts, which runs lanczos() of src/spectrum/lanczos.ts on the host).
// Workgroup b measures run b where it waits at a logged step batch_train.wgsl stopped before
// (the sharpness goes to its state, for that step's row), or where its closing record lacks
// the sharpness (written into that row); other runs return at once. The measurement:
// run.products products of Lanczos from the run's warm start, each new vector reorthogonalized
// twice against the whole basis (classical Gram–Schmidt in blocks of DOTS basis vectors, whose
// dot products share one reduction: the twin's modified Gram–Schmidt is the same in exact
// arithmetic, and twice is enough for either), until the top Ritz pair meets the twin's test
// (MONITOR_TOL). λ_max of the tridiagonal T comes by bisection on its Sturm counts, its
// eigenvector by inverse iteration; the top Ritz vector is the next warm start. In float32;
// thread l owns samples l, l + WG, … of every vector, and each dot product sums its samples in
// order, then over the lanes by a fixed tree.

var<workgroup> top_sh: f32;
var<workgroup> stop_sh: u32;

// DOTS (layout.ts MONITOR_DOTS): basis vectors whose dot products with w one reduction takes.
var<workgroup> dots_lane: array<array<f32, DOTS>, WG>;

/// One pass of Gram–Schmidt: w −= Σ_{i ≤ j} (q_i·w) q_i, with w at vars1[w]; returns q_j·w
/// (Lanczos's α at the first pass). Call in uniform control flow.
fn project(run: BatchRun, lid: u32, j: u32, w: u32) -> f32 {
  let n = run.n;
  var alpha = 0.0;
  for (var first = 0u; first <= j; first += DOTS) {
    let count = min(DOTS, j + 1u - first);
    var c = array<f32, DOTS>();
    for (var i = lid; i < n; i += WG) {
      let wi = vars1[w + i];
      for (var t = 0u; t < count; t++) { c[t] += vars1[run.q_off + (first + t) * n + i] * wi; }
    }
    dots_lane[lid] = c;
    for (var half = WG / 2u; half > 0u; half >>= 1u) {
      workgroupBarrier();
      if (lid < half) {
        for (var t = 0u; t < DOTS; t++) { dots_lane[lid][t] += dots_lane[lid + half][t]; }
      }
    }
    let sums = workgroupUniformLoad(&dots_lane[0]);
    for (var i = lid; i < n; i += WG) {
      var wi = vars1[w + i];
      for (var t = 0u; t < count; t++) { wi -= sums[t] * vars1[run.q_off + (first + t) * n + i]; }
      vars1[w + i] = wi;
    }
    if (j < first + count) { alpha = sums[j - first]; }
  }
  return alpha;
}

fn tri_alpha(run: BatchRun, i: u32) -> f32 { return vars1[run.tri_off + i]; }
fn tri_beta(run: BatchRun, i: u32) -> f32 { return vars1[run.tri_off + run.products + i]; }

/// Eigenvalues of T (k×k) below x: the negative pivots of T − xI = LDLᵀ (Sturm's count).
fn below(run: BatchRun, k: u32, x: f32) -> u32 {
  var count = 0u;
  var d = 1.0;
  for (var i = 0u; i < k; i++) {
    var b2 = 0.0;
    if (i > 0u) { b2 = tri_beta(run, i - 1u) * tri_beta(run, i - 1u); }
    d = tri_alpha(run, i) - x - b2 / d;
    // A zero pivot counts as a negative one just below it.
    if (d == 0.0) { d = -1e-30; }
    if (d < 0.0) { count++; }
  }
  return count;
}

/// λ_max of T (k×k), at least `floor` (T's leading block's λ_max: the values interlace), and its
/// eigenvector at tri_off + 2·products (unit length). One invocation.
fn top_eigen(run: BatchRun, k: u32, floor: f32) -> f32 {
  // Gershgorin's interval, then bisection to float32's resolution of ‖T‖.
  var lo = tri_alpha(run, 0u);
  var hi = lo;
  for (var i = 0u; i < k; i++) {
    var r = 0.0;
    if (i > 0u) { r += abs(tri_beta(run, i - 1u)); }
    if (i + 1u < k) { r += abs(tri_beta(run, i)); }
    lo = min(lo, tri_alpha(run, i) - r);
    hi = max(hi, tri_alpha(run, i) + r);
  }
  let scale = max(max(abs(lo), abs(hi)), 1e-30);
  lo = max(lo, floor);
  for (var it = 0u; it < 64u && hi - lo > 1.2e-7 * scale; it++) {
    let mid = 0.5 * (lo + hi);
    if (below(run, k, mid) == k) { hi = mid; } else { lo = mid; }
  }
  // Inverse iteration just above the spectrum: T − σI is negative definite, so its LDLᵀ solve
  // (Thomas, no pivoting) is stable. Three solves from (1, …, 1).
  let s = run.tri_off + 2u * run.products;
  let cp = run.tri_off + 3u * run.products;
  let sigma = hi + 1e-5 * scale;
  for (var i = 0u; i < k; i++) { vars1[s + i] = 1.0; }
  for (var it = 0u; it < 3u; it++) {
    for (var i = 0u; i < k; i++) {
      var den = tri_alpha(run, i) - sigma;
      var rhs = vars1[s + i];
      if (i > 0u) {
        den -= tri_beta(run, i - 1u) * vars1[cp + i - 1u];
        rhs -= tri_beta(run, i - 1u) * vars1[s + i - 1u];
      }
      vars1[cp + i] = select(0.0, tri_beta(run, i) / den, i + 1u < k);
      vars1[s + i] = rhs / den;
    }
    var norm2 = 0.0;
    for (var i = k; i > 0u; i--) {
      if (i < k) { vars1[s + i - 1u] -= vars1[cp + i - 1u] * vars1[s + i]; }
      norm2 += vars1[s + i - 1u] * vars1[s + i - 1u];
    }
    let unit = 1.0 / sqrt(norm2);
    for (var i = 0u; i < k; i++) { vars1[s + i] *= unit; }
  }
  return 0.5 * (lo + hi);
}

/** What a dispatch of the monitor did for a run: its measurement done (and the bits of the sharpness, NAN_BITS where a product was not finite), or not yet. */
struct MonitorStep {
  done: bool,
  bits: u32,
}

/// The run's sharpness λ_max(H_t) at its current state, by at most run.monitor_chunk products
/// in this dispatch: a measurement that needs more goes on in the next one from where `st`
/// says it stands (lz_j, lz_top; its basis and T wait in vars1), with the same arithmetic. A
/// product that is not finite ends it and resets the warm start. Call in uniform control flow.
fn monitor(run: BatchRun, lid: u32, st: ptr<function, BatchState>) -> MonitorStep {
  let n = run.n;
  let k = min(run.products, n);
  let q = run.q_off;
  let first = (*st).lz_j;
  var finite = true;
  if (first == 0u) {
    let start = sqrt(sample_dot(run, lid, run.ritz_off, run.ritz_off));
    for (var i = lid; i < n; i += WG) { vars1[q + i] = vars1[run.ritz_off + i] / start; }
    finite = is_finite(start) && start > 0.0;
  } else if (lid == 0u) {
    top_sh = (*st).lz_top;
  }
  var size = first;
  var ended = false;
  for (var j = first; j < k && j < first + run.monitor_chunk && finite; j++) {
    let w = q + (j + 1u) * n;
    tangent_product(run, lid, q + j * n, w);
    let alpha = project(run, lid, j, w);
    _ = project(run, lid, j, w);
    let beta = sqrt(sample_dot(run, lid, w, w));
    if (lid == 0u) {
      vars1[run.tri_off + j] = alpha;
      vars1[run.tri_off + run.products + j] = beta;
    }
    size = j + 1u;
    finite = is_finite(alpha) && is_finite(beta);
    // The twin's test: the top Ritz pair's residual β·|last component| ≤ MONITOR_TOL·λ_max.
    if (lid == 0u && finite) {
      let top = top_eigen(run, size, select(-3.4e38, top_sh, j > 0u));
      top_sh = top;
      stop_sh = select(0u, 1u, beta * abs(vars1[run.tri_off + 2u * run.products + size - 1u]) <= MONITOR_TOL * abs(top));
    }
    // β = 0: the Krylov space is invariant, and T's values are eigenvalues (the twin stops too).
    if (workgroupUniformLoad(&stop_sh) == 1u || beta == 0.0) {
      ended = true;
      break;
    }
    for (var i = lid; i < n; i += WG) { vars1[w + i] /= beta; }
  }
  let top = workgroupUniformLoad(&top_sh);
  if (!ended && finite && size < k) {
    (*st).lz_j = size;
    (*st).lz_top = top;
    return MonitorStep(false, 0u);
  }
  (*st).lz_j = 0u;
  // The eigenvector, written by invocation 0, before every invocation reads it.
  storageBarrier();
  let s = run.tri_off + 2u * run.products;
  for (var i = lid; i < n; i += WG) {
    var y = 0.0;
    for (var t = 0u; t < size; t++) { y += vars1[s + t] * vars1[q + t * n + i]; }
    vars1[run.ritz_off + i] = select(fixed1[run.s0_off + i], y, finite);
  }
  return MonitorStep(true, select(NAN_BITS, bitcast<u32>(top), finite));
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = wg.x;
  let run = runs[b];
  var st = load_state(b, lid);
  let record = st.done == 1u && st.record_measured == 0u;
  if (!record && !awaits_monitor(run, st)) { return; }
  let measured = monitor(run, lid, &st);
  if (lid == 0u) {
    if (measured.done && record) {
      rows[(b * params.row_cap + st.rows - 1u) * BATCH_ROW_WORDS + ROW_WORDS] = measured.bits;
      st.record_measured = 1u;
    } else if (measured.done) {
      st.sharpness = bitcast<f32>(measured.bits);
      st.measured_at = st.step + 1u;
    }
    state[b] = st;
  }
}
