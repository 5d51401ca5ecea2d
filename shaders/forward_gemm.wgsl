// forward.wgsl's partial outputs, variant `gemm`: a register-blocked GEMM Z = X·Wᵀ with the
// epilogue fused, so Z is never written. A workgroup of 16×16 threads takes TM samples and
// max(q, TN) neurons (one chunk in tiles of TN, or TN/q whole chunks); thread (tx, ty) holds
// (TM/64)×(TN/64) 4×4 quads of z, samples qs·64 + 4·tx + s and neurons qn·64 + 4·ty + c (quads
// 64 apart, so that neighbouring threads read neighbouring vec4s of workgroup memory; ty runs
// fastest, so that a chunk's lanes are adjacent invocations, as a subgroup holds them). d is
// staged 8 dims at a time through two buffers: the next stage's global loads are in flight
// while the current one is multiplied, one barrier per stage. X comes from its transposed copy
// XT (transpose_x.wgsl; rows of 8 dims padded with zeros, columns of n padded to XT_PAD), so a
// stage of X is TM consecutive floats per dim.
// Epilogue, per tile and 64-neuron quad: each thread sums a·relu(z) over its 4 neurons; groups
// of G adjacent lanes (G = min(LANE_GROUP, lanes per chunk)) add theirs by a butterfly of
// subgroup shuffles (lanes_subgroup.wgsl; G = 1 without subgroups, lanes_memory.wgsl), then one
// thread per (sample, chunk) sums the groups' results in order. Fixed order: the same bits every
// run for a given G, in another order than `simple`. With WRITE_MASK the same lanes carry the
// signs, OR-ed by the same butterfly into the mask words of forward.wgsl's layout.
// TM, TN, the loop counts $QS, $QN (TM/64, TN/64) and, with subgroups, SUBGROUP_MIN are set by
// the host (src/gpu/kernels/forward.ts).

override WRITE_MASK: bool = false;

const QS: u32 = TM / 64u;
const QN: u32 = TN / 64u;
/** vec4s of one stage: 8 dims × TM/4 samples, 8 dims × TN/4 neurons. */
const XS: u32 = 2u * TM;
const WS: u32 = 2u * TN;

var<workgroup> xs: array<vec4<f32>, 2u * XS>;
var<workgroup> ws: array<vec4<f32>, 2u * WS>;
/** Per (sample, ty): a thread's sum over its 4 neurons (as bits), then its 4 sign bits. */
var<workgroup> lanes: array<u32, TM * 16u>;
/** Per (sample, chunk of the tile): the chunk's sum, over the tiles of a chunk larger than TN. */
var<workgroup> sums: array<f32, TM * (TN / 16u)>;
var<workgroup> ghalt: u32;
/** Set where some subgroup does not hold its lanes in order (lanes_adjacent), and the group width it leaves. */
var<workgroup> gscattered: atomic<u32>;
var<workgroup> gwidth: u32;

fn load_xt(stage: u32, e: u32, i0: u32) -> vec4<f32> {
  let np4 = ((dims.n + XT_PAD - 1u) / XT_PAD) * (XT_PAD / 4u);
  return XT[(stage * 8u + e / (TM / 4u)) * np4 + i0 / 4u + e % (TM / 4u)];
}

fn load_w(stage: u32, e: u32, t0: u32, r_end: u32) -> vec4<f32> {
  let r = t0 + e / 2u;
  let k4 = stage * 2u + e % 2u;
  if (r >= r_end || k4 >= D4) { return vec4<f32>(0.0); }
  return W[r * D4 + k4];
}

fn store_w(buf: u32, e: u32, v: vec4<f32>) {
  // Neuron e/2's dims 4·(e%2) + c go to row (dim) 4·(e%2) + c, column e/2.
  let rl = e / 2u;
  let base = buf * WS + (e % 2u) * 4u * (TN / 4u) + rl / 4u;
  /* unroll */ for (var c = 0u; c < 4u; c++) { ws[base + c * (TN / 4u)][rl % 4u] = v[c]; }
}

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  if (lid == 0u) { ghalt = atomicLoad(&status.halt); }
  if (workgroupUniformLoad(&ghalt) != HALT_RUNNING) { return; }
  let ty = lid % 16u;
  let tx = lid / 16u;
  if (!lanes_adjacent(lid)) { atomicStore(&gscattered, 1u); }
  workgroupBarrier();
  if (lid == 0u) { gwidth = select(LANE_GROUP, 1u, atomicLoad(&gscattered) != 0u); }
  let width = workgroupUniformLoad(&gwidth);
  let i0 = wid.x * TM;
  let span = max(dims.q, TN);
  let r_begin = wid.y * span;
  let r_end = min(r_begin + span, block.count);
  let cpt = max(TN / dims.q, 1u);
  let stages = (D4 + 1u) / 2u;
  for (var e = lid; e < TM * (TN / 16u); e += 256u) { sums[e] = 0.0; }
  for (var t0 = r_begin; t0 < r_end; t0 += TN) {
    // Zeroed explicitly: SwiftShader kept the last tile's sums in a bare `var` declared in the loop.
    var acc = array<mat4x4<f32>, QS * QN>();
    var xr = vec4<f32>(0.0);
    var wr = vec4<f32>(0.0);
    if (lid < XS) { xr = load_xt(0u, lid, i0); }
    if (lid < WS) { wr = load_w(0u, lid, t0, r_end); }
    workgroupBarrier();
    if (lid < XS) { xs[lid] = xr; }
    if (lid < WS) { store_w(0u, lid, wr); }
    workgroupBarrier();
    for (var st = 0u; st < stages; st++) {
      let buf = st % 2u;
      let more = st + 1u < stages;
      if (more && lid < XS) { xr = load_xt(st + 1u, lid, i0); }
      if (more && lid < WS) { wr = load_w(st + 1u, lid, t0, r_end); }
      /* unroll */ for (var kd = 0u; kd < 8u; kd++) {
        var xv: array<vec4<f32>, 2>;
        var wv: array<vec4<f32>, 2>;
        /* unroll */ for (var qs = 0u; qs < $QS; qs++) { xv[qs] = xs[buf * XS + kd * (TM / 4u) + qs * 16u + tx]; }
        /* unroll */ for (var qn = 0u; qn < $QN; qn++) { wv[qn] = ws[buf * WS + kd * (TN / 4u) + qn * 16u + ty]; }
        /* unroll */ for (var qs = 0u; qs < $QS; qs++) {
          /* unroll */ for (var qn = 0u; qn < $QN; qn++) {
            acc[qs * QN + qn] += mat4x4<f32>(xv[qs].x * wv[qn], xv[qs].y * wv[qn], xv[qs].z * wv[qn], xv[qs].w * wv[qn]);
          }
        }
      }
      if (more && lid < XS) { xs[(1u - buf) * XS + lid] = xr; }
      if (more && lid < WS) { store_w(1u - buf, lid, wr); }
      workgroupBarrier();
    }
    // Per quad of 64 neurons: a chunk spans L lanes (ty), 16/L chunks per quad; a mask word of
    // B neurons spans B/4 lanes, 64/B words per quad, each lane's 4 bits at its place in the word.
    /* unroll */ for (var qn = 0u; qn < $QN; qn++) {
      let rb = t0 + qn * 64u + ty * 4u;
      let live = vec4<u32>(rb) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(r_end);
      var av = vec4<f32>(0.0);
      /* unroll */ for (var c = 0u; c < 4u; c++) { if (live[c]) { av[c] = a[rb + c]; } }
      let L = min(dims.q, 64u) / 4u;
      let g = min(width, L);
      /* unroll */ for (var qs = 0u; qs < $QS; qs++) {
        /* unroll */ for (var s = 0u; s < 4u; s++) {
          var v = hsum(av * max(acc[qs * QN + qn][s], vec4<f32>(0.0)));
          for (var k = 1u; k < g; k *= 2u) { v += lane_swap_f32(v, k); }
          if (ty % g == 0u) { lanes[(qs * 64u + tx * 4u + s) * 16u + ty] = bitcast<u32>(v); }
        }
      }
      workgroupBarrier();
      let per = 16u / L;
      for (var e = lid; e < TM * per; e += 256u) {
        let sl = e / per;
        let h = e % per;
        var v = 0.0;
        for (var t = 0u; t < L; t += g) { v += bitcast<f32>(lanes[sl * 16u + h * L + t]); }
        let lc = (qn * 64u + h * L * 4u) / dims.q;
        sums[sl * (TN / 16u) + lc] += v;
      }
      if (WRITE_MASK) {
        workgroupBarrier();
        let B = mask_bits(dims.q);
        let gm = min(width, B / 4u);
        /* unroll */ for (var qs = 0u; qs < $QS; qs++) {
          /* unroll */ for (var s = 0u; s < 4u; s++) {
            let on = vec4<u32>(live & (acc[qs * QN + qn][s] > vec4<f32>(0.0))) * vec4<u32>(1u, 2u, 4u, 8u);
            var bits = (on.x | on.y | on.z | on.w) << (4u * (ty % (B / 4u)));
            for (var k = 1u; k < gm; k *= 2u) { bits |= lane_swap_u32(bits, k); }
            if (ty % gm == 0u) { lanes[(qs * 64u + tx * 4u + s) * 16u + ty] = bits; }
          }
        }
        workgroupBarrier();
        let words = 64u / B;
        for (var e = lid; e < TM * words; e += 256u) {
          let sl = e / words;
          let w = e % words;
          var bits = 0u;
          for (var t = 0u; t < B / 4u; t += gm) { bits |= lanes[sl * 16u + w * (B / 4u) + t]; }
          let r = t0 + qn * 64u + w * B;
          if (i0 + sl < dims.n && r < r_end) { mask[mask_word(r, i0 + sl, dims.n, dims.q)] = bits; }
        }
      }
      workgroupBarrier();
    }
  }
  for (var e = lid; e < TM * cpt; e += 256u) {
    let sl = e / cpt;
    let lc = e % cpt;
    let i = i0 + sl;
    if (i < dims.n && r_begin + lc * dims.q < block.count) {
      partials[(block.chunk_offset + r_begin / dims.q + lc) * dims.n + i] = sums[sl * (TN / 16u) + lc];
    }
  }
}
