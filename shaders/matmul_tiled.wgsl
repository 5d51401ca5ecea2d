// The benchmark's yardstick, variant for GPUs: Z = X Wᵀ for one slice of neurons with
// 64×64 output tiles per workgroup (tile_product.wgsl), so each X and W element is read from
// global memory once per tile instead of once per thread.

struct MatmulDims { n: u32, cols: u32, first: u32, _pad: u32 }


@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let row0 = wid.y * TT;
  let col0 = wid.x * TT;
  let lr = tile_row(lid);
  let acc = tile_product(lid, min(row0 + lr, md.n - 1u), md.first + min(col0 + lr, md.cols - 1u));
  for (var r = 0u; r < 4u; r++) {
    let i = row0 + lid.y + 16u * r;
    for (var c = 0u; c < 4u; c++) {
      let j = col0 + lid.x + 16u * c;
      if (i < md.n && j < md.cols) { Z[i * md.cols + j] = acc[r][c]; }
    }
  }
}
