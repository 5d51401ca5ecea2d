// The backward_update kernel as a GEMM over the activation mask (variant `gemm`): the same math
// as backward_update.wgsl without recomputing z (4ndm flops, not 6ndm),
//   G = Cᵀ·X with C_ir = r_i [z_ir > 0] (the signs the forward pass left in `mask`),
//   ∇w_r = κ a_r g_r,   ∇a_r = κ Σ_i c_i relu(z_ir) = κ ⟨w_r, g_r⟩ (w before the update).
// A workgroup of 16×16 threads takes TN neurons and all of d (D4 ≤ 64); thread (tx, ty) holds
// (TN/64)·DT 4×4 blocks of G: neurons qn·64 + 4·ty + c, vec4s of d t·16 + tx. Samples are
// staged KS at a time through workgroup memory (C from the mask bits and r, X's rows), each
// staged value used by 16 threads. With SPLIT = 1 both updates are the epilogue (⟨w, g⟩ summed
// over the 16 tx lanes in order); with SPLIT = S the grid's y splits n into S slices that write
// partial gradients, and `reduce` sums them in slice order and applies both updates: no float
// atomics, so a step's bits depend only on the choice (TN, S), not on scheduling.
// The halting decision is made as in backward_update.wgsl, recorded by the kernel that updates.
// With LOG (stats=masks' logging pass) the same product is recorded instead of applied: each
// neuron's STAT_GRAD2 from ‖g‖² and ⟨w, g⟩ (each summed over the lanes, or the slices, in the
// update's order), W, a and the status left alone, so that it also serves the closing record.
// TN, SPLIT and the loop counts $QN (TN/64), $DT are set by the host (src/gpu/kernels/backward_update.ts).

override LOG: bool = false;

const QN: u32 = TN / 64u;
const DT: u32 = (D4 + 15u) / 16u;
const KS: u32 = 8u;
/** vec4s of d per staged sample. */
const XW: u32 = 16u * DT;

var<workgroup> cs: array<vec4<f32>, KS * TN / 4u>;
var<workgroup> xs: array<vec4<f32>, KS * XW>;
var<workgroup> lanes: array<f32, TN * 16u>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  if (!LOG) {
    if (halting_step(lid, SPLIT == 1u && block.first == 1u && wid.x == 0u && lid == 0u) != HALT_RUNNING) { return; }
  }
  let tx = lid % 16u;
  let ty = lid / 16u;
  let r0 = wid.x * TN;
  // Slice wid.y of the samples, in whole stages.
  let per = ((dims.n + SPLIT - 1u) / SPLIT + KS - 1u) / KS * KS;
  let begin = min(wid.y * per, dims.n);
  let end = min(begin + per, dims.n);
  let B = mask_bits(dims.q);
  var acc: array<mat4x4<f32>, QN * DT>;
  for (var i0 = begin; i0 < end; i0 += KS) {
    if (lid < KS * TN / 4u) {
      let i = i0 + lid / (TN / 4u);
      let j = r0 + (lid % (TN / 4u)) * 4u;
      var c = vec4<f32>(0.0);
      if (i < end && j < block.count) {
        let bits = vec4<u32>(mask[mask_word(j, i, dims.n, dims.q)] >> (j % B));
        c = select(vec4<f32>(0.0), vec4<f32>(r[i]), (bits & vec4<u32>(1u, 2u, 4u, 8u)) != vec4<u32>(0u));
      }
      cs[lid] = c;
    }
    for (var e = lid; e < KS * XW; e += 256u) {
      let i = i0 + e / XW;
      let k4 = e % XW;
      var x = vec4<f32>(0.0);
      if (i < end && k4 < D4) { x = X[i * D4 + k4]; }
      xs[e] = x;
    }
    workgroupBarrier();
    /* unroll */ for (var si = 0u; si < 8u; si++) {
      var cv: array<vec4<f32>, QN>;
      var xv: array<vec4<f32>, DT>;
      /* unroll */ for (var qn = 0u; qn < $QN; qn++) { cv[qn] = cs[si * (TN / 4u) + qn * 16u + ty]; }
      /* unroll */ for (var t = 0u; t < $DT; t++) { xv[t] = xs[si * XW + t * 16u + tx]; }
      /* unroll */ for (var qn = 0u; qn < $QN; qn++) {
        /* unroll */ for (var t = 0u; t < $DT; t++) {
          acc[qn * DT + t] += mat4x4<f32>(cv[qn].x * xv[t], cv[qn].y * xv[t], cv[qn].z * xv[t], cv[qn].w * xv[t]);
        }
      }
    }
    workgroupBarrier();
  }
  // LOG: ‖g‖² over this thread's vec4s, per neuron of its quads.
  var g2: array<f32, QN * 4u>;
  /* unroll */ for (var qn = 0u; qn < $QN; qn++) {
    /* unroll */ for (var c = 0u; c < 4u; c++) {
      let jl = qn * 64u + ty * 4u + c;
      let j = r0 + jl;
      var part = 0.0;
      if (j < block.count) {
        let cw = dims.eta_w * dims.kappa * a[j];
        /* unroll */ for (var t = 0u; t < $DT; t++) {
          let k4 = t * 16u + tx;
          let g = acc[qn * DT + t][c];
          if (k4 < D4 && SPLIT == 1u) {
            let w = W[j * D4 + k4];
            part += dot(w, g);
            if (LOG) { g2[qn * 4u + c] += dot(g, g); } else { W[j * D4 + k4] = w - cw * g; }
          }
          if (k4 < D4 && SPLIT > 1u) { gradParts[(wid.y * block.count + j) * D4 + k4] = g; }
        }
      }
      lanes[jl * 16u + tx] = part;
    }
  }
  if (SPLIT == 1u) {
    workgroupBarrier();
    let j = r0 + lid;
    let mine = lid < TN && j < block.count;
    var ga = 0.0;
    if (mine) {
      for (var t = 0u; t < 16u; t++) { ga += lanes[lid * 16u + t]; }
      if (!LOG) { a[j] = a[j] - dims.eta_a * dims.kappa * ga; }
    }
    if (LOG) {
      workgroupBarrier();
      /* unroll */ for (var qn = 0u; qn < $QN; qn++) {
        /* unroll */ for (var c = 0u; c < 4u; c++) { lanes[(qn * 64u + ty * 4u + c) * 16u + tx] = g2[qn * 4u + c]; }
      }
      workgroupBarrier();
      if (mine) {
        var gg = 0.0;
        for (var t = 0u; t < 16u; t++) { gg += lanes[lid * 16u + t]; }
        stats[j * STAT_COUNT + STAT_GRAD2] = grad2_stat(gg, ga, dims.kappa, a[j]);
      }
    }
  }
}

// With SPLIT > 1: a thread per neuron sums its slices' partial gradients in slice order, then
// applies both updates as main's epilogue does, and records the halting decision (with LOG:
// records the neuron's STAT_GRAD2 instead).
@compute @workgroup_size(64)
fn reduce(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let j = gid.x;
  var code = HALT_RUNNING;
  if (!LOG) { code = halting_step(lid, block.first == 1u && j == 0u); }
  if (j >= block.count || code != HALT_RUNNING) { return; }
  let aj = a[j];
  let cw = dims.eta_w * dims.kappa * aj;
  var ga = 0.0;
  var gg = 0.0;
  for (var k4 = 0u; k4 < D4; k4++) {
    var g = vec4<f32>(0.0);
    for (var s = 0u; s < SPLIT; s++) { g += gradParts[(s * block.count + j) * D4 + k4]; }
    let w = W[j * D4 + k4];
    ga += dot(w, g);
    if (LOG) { gg += dot(g, g); } else { W[j * D4 + k4] = w - cw * g; }
  }
  if (LOG) { stats[j * STAT_COUNT + STAT_GRAD2] = grad2_stat(gg, ga, dims.kappa, aj); } else { a[j] = aj - dims.eta_a * dims.kappa * ga; }
}
