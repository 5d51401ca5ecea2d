// Partial outputs: for sample i and chunk c of this block, Σ_{r in c} a_r relu(⟨w_r, x_i⟩).
// Pre-activations are recomputed, never stored (no n×m buffer). `main`: one thread per
// (i, chunk): x_i stays in registers, each w_r is read by all threads of the workgroup at
// once. `blocked` and `tiled` (below) are the CPU-driver and GPU variants.
// `jvp` is the forward-mode derivative of the same sums, for the tangent-kernel product
// H v = J diag(η) Jᵀ v (backward_update.wgsl's vjp gives Jᵀv):
//   Σ_{r in c} η_W a_r [z_ir > 0] ⟨u_r, x_i⟩ + η_a ua_r relu(z_ir).
// residual.wgsl then sums the chunks (with y = 0 for jvp) and applies κ.
// With WRITE_MASK, `main` and `blocked` also leave the signs [z_ir > 0] for the `masked`
// backward_update (word layout: mask_word in common.wgsl): n·m bits, at most the size of W.

struct Rates { eta_w: f32, eta_a: f32, _pad0: f32, _pad1: f32 }

// The step's bindings (dims, block, X, W, a, status, partials, mask) are declared by the host
// (STEP_DECLARATIONS in src/gpu/program.ts); jvp's own follow them.
@group(0) @binding(11) var<uniform> rates: Rates;
@group(0) @binding(12) var<storage, read> U: array<vec4<f32>>;
@group(0) @binding(13) var<storage, read> ua: array<f32>;

override WRITE_MASK: bool = false;

fn load_x(i: u32) -> array<vec4<f32>, D4> {
  var x: array<vec4<f32>, D4>;
  /* unroll */ for (var k = 0u; k < D4; k++) { x[k] = X[i * D4 + k]; }
  return x;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  // A halted run keeps its state: the partials already hold this state's values.
  if (i >= dims.n || atomicLoad(&status.halt) != HALT_RUNNING) { return; }
  var x = load_x(i);
  let first = gid.y * dims.q;
  let last = min(first + dims.q, block.count);
  let B = mask_bits(dims.q);
  var acc = 0.0;
  var bits = 0u;
  for (var r = first; r < last; r++) {
    var z4 = vec4<f32>(0.0);
    /* unroll */ for (var k = 0u; k < D4; k++) { z4 += x[k] * W[r * D4 + k]; }
    let z = hsum(z4);
    acc += a[r] * max(z, 0.0);
    if (WRITE_MASK) {
      bits |= select(0u, 1u, z > 0.0) << (r % B);
      if ((r + 1u) % B == 0u || r + 1u == last) {
        mask[mask_word(r, i, dims.n, dims.q)] = bits;
        bits = 0u;
      }
    }
  }
  partials[(block.chunk_offset + gid.y) * dims.n + i] = acc;
}

@compute @workgroup_size(64)
fn jvp(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= dims.n) { return; }
  var x = load_x(i);
  let first = gid.y * dims.q;
  let last = min(first + dims.q, block.count);
  var acc = 0.0;
  for (var r = first; r < last; r++) {
    var z4 = vec4<f32>(0.0);
    var t4 = vec4<f32>(0.0);
    /* unroll */ for (var k = 0u; k < D4; k++) {
      z4 += x[k] * W[r * D4 + k];
      t4 += x[k] * U[r * D4 + k];
    }
    let z = hsum(z4);
    if (z > 0.0) {
      acc += rates.eta_w * a[r] * hsum(t4) + rates.eta_a * ua[r] * z;
    }
  }
  partials[(block.chunk_offset + gid.y) * dims.n + i] = acc;
}

// `blocked` (variant for CPU drivers): a thread takes 4 samples of one chunk and walks the
// chunk 4 neurons at a time, each step a 4×4 block of z from 4 x and 4 w vec4s, as the
// register-blocked matmul.wgsl does (one thread per sample holds all of x_i, which CPU
// drivers spill at d = 128).
@compute @workgroup_size(64)
fn blocked(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i0 = gid.x * 4u;
  if (i0 >= dims.n || atomicLoad(&status.halt) != HALT_RUNNING) { return; }
  let first = gid.y * dims.q;
  let last = min(first + dims.q, block.count);
  let B = mask_bits(dims.q);
  var acc = vec4<f32>(0.0);
  var bits = vec4<u32>(0u);
  for (var r = first; r < last; r += 4u) {
    let z = register_block(min(vec4<u32>(i0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(dims.n - 1u)),
                           min(vec4<u32>(r) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(last - 1u)));
    // Neurons past the chunk's end get a = 0.
    var av = vec4<f32>(0.0);
    /* unroll */ for (var c = 0u; c < 4u; c++) { if (r + c < last) { av[c] = a[r + c]; } }
    /* unroll */ for (var s = 0u; s < 4u; s++) { acc[s] += dot(av, max(z[s], vec4<f32>(0.0))); }
    if (WRITE_MASK) {
      // Neurons past the chunk's end get bit 0 (B is a multiple of 4, so r % B + 3 < B).
      let live = vec4<u32>(r) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(last);
      /* unroll */ for (var s = 0u; s < 4u; s++) {
        let on = vec4<u32>(live & (z[s] > vec4<f32>(0.0))) * vec4<u32>(1u, 2u, 4u, 8u);
        bits[s] |= (on.x | on.y | on.z | on.w) << (r % B);
      }
      if ((r + 4u) % B == 0u || r + 4u >= last) {
        /* unroll */ for (var s = 0u; s < 4u; s++) {
          if (i0 + s < dims.n) { mask[mask_word(r, i0 + s, dims.n, dims.q)] = bits[s]; }
        }
        bits = vec4<u32>(0u);
      }
    }
  }
  /* unroll */ for (var s = 0u; s < 4u; s++) {
    if (i0 + s < dims.n) { partials[(block.chunk_offset + gid.y) * dims.n + i0 + s] = acc[s]; }
  }
}

// `tiled` (variant for GPUs): a workgroup takes 64 samples and max(q, 64) neurons — one chunk,
// or 64/q whole chunks — and forms z 64×64 at a time as the yardstick does (tile_product.wgsl),
// each thread a 4×4 block (samples ty + 16·s, neurons tx + 16·c). A chunk's sum runs over
// the thread's own columns, then over the 16 column lanes by a fixed tree: deterministic, in
// another order than `main`.

var<workgroup> fa: array<f32, TT>;
var<workgroup> fsum: array<f32, TT * 16u>;
var<workgroup> fhalt: u32;

@compute @workgroup_size(16, 16)
fn tiled(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  if (lid.x == 0u && lid.y == 0u) { fhalt = atomicLoad(&status.halt); }
  if (workgroupUniformLoad(&fhalt) != HALT_RUNNING) { return; }
  let i0 = wid.x * TT;
  let span = max(dims.q, TT);
  let r_begin = wid.y * span;
  let r_end = min(r_begin + span, block.count);
  let flat = lid.y * 16u + lid.x;
  let lr = tile_row(lid);
  var acc: array<vec4<f32>, 4>;
  for (var t0 = r_begin; t0 < r_end; t0 += TT) {
    let z = tile_product(lid, min(i0 + lr, dims.n - 1u), min(t0 + lr, block.count - 1u));
    // Neurons past the block's end get a = 0: they add nothing.
    if (flat < TT) { fa[flat] = select(0.0, a[min(t0 + flat, block.count - 1u)], t0 + flat < r_end); }
    workgroupBarrier();
    for (var s = 0u; s < 4u; s++) {
      for (var c = 0u; c < 4u; c++) { acc[s][c] += fa[lid.x + 16u * c] * max(z[s][c], 0.0); }
    }
  }
  // Column tx + 16·c lies in chunk (16·c) / q of the tile (tx < 16 ≤ q).
  let per_chunk = min(4u, max(dims.q, 16u) / 16u);
  let chunks_here = 4u / per_chunk;
  for (var k = 0u; k < chunks_here; k++) {
    for (var s = 0u; s < 4u; s++) {
      var v = 0.0;
      for (var c = k * per_chunk; c < (k + 1u) * per_chunk; c++) { v += acc[s][c]; }
      fsum[(lid.y + 16u * s) * 16u + lid.x] = v;
    }
    for (var half = 8u; half > 0u; half >>= 1u) {
      workgroupBarrier();
      if (lid.x < half) {
        for (var s = 0u; s < 4u; s++) {
          let o = (lid.y + 16u * s) * 16u + lid.x;
          fsum[o] += fsum[o + half];
        }
      }
    }
    workgroupBarrier();
    let first = r_begin + k * dims.q;
    if (lid.x == 0u && first < block.count) {
      for (var s = 0u; s < 4u; s++) {
        let i = i0 + lid.y + 16u * s;
        if (i < dims.n) { partials[(block.chunk_offset + first / dims.q) * dims.n + i] = fsum[(lid.y + 16u * s) * 16u]; }
      }
    }
    workgroupBarrier();
  }
}
