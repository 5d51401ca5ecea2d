// forward.wgsl's partial outputs, variant `tiled` (for GPUs): a workgroup takes 64 samples and max(q, 64) neurons — one chunk,
// or 64/q whole chunks — and forms z 64×64 at a time as the yardstick does (tile_product.wgsl),
// each thread a 4×4 block (samples ty + 16·s, neurons tx + 16·c). A chunk's sum runs over
// the thread's own columns, then over the 16 column lanes by a fixed tree: deterministic, in
// another order than `main`.

var<workgroup> fa: array<f32, TT>;
var<workgroup> fsum: array<f32, TT * 16u>;
var<workgroup> fhalt: u32;

@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
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
