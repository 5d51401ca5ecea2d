// The 64×64 block of X Wᵀ a workgroup of 16×16 threads computes, for matmul_tiled.wgsl (the
// yardstick) and forward.wgsl's `tiled` entry (the same product, then relu and a): the depth
// is staged through workgroup memory TK vec4s at a time, each thread holds a 4×4 block (rows
// ty + 16·s, columns tx + 16·c).

const TT: u32 = 64u;        // tile rows and columns
const TK: u32 = 4u;         // vec4s of depth per stage
const TKP: u32 = TK + 1u;   // padded row: consecutive threads' vec4 loads fall in different banks

var<workgroup> tile_x: array<vec4<f32>, TT * TKP>;
var<workgroup> tile_w: array<vec4<f32>, TT * TKP>;

/// The tile row this thread stages (the caller picks that row of X and of W).
fn tile_row(lid: vec3<u32>) -> u32 { return (lid.y * 16u + lid.x) / TK; }

/// z[s][c] = ⟨x_row(ty + 16s), w_row(tx + 16c)⟩, where this thread stages X row `xrow` and
/// W row `wrow` as its tile_row. Call from all 256 threads in uniform control flow.
fn tile_product(lid: vec3<u32>, xrow: u32, wrow: u32) -> array<vec4<f32>, 4> {
  let lk = (lid.y * 16u + lid.x) % TK;
  let lr = tile_row(lid);
  // Zeroed explicitly: SwiftShader did not re-zero a bare `var` declared in a loop's body.
  var z = array<vec4<f32>, 4>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  for (var k0 = 0u; k0 < D4; k0 += TK) {
    let k = min(k0 + lk, D4 - 1u);
    let inside = k0 + lk < D4;
    tile_x[lr * TKP + lk] = select(vec4<f32>(0.0), X[xrow * D4 + k], inside);
    tile_w[lr * TKP + lk] = select(vec4<f32>(0.0), W[wrow * D4 + k], inside);
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      var w: array<vec4<f32>, 4>;
      for (var c = 0u; c < 4u; c++) { w[c] = tile_w[(lid.x + 16u * c) * TKP + kk]; }
      for (var s = 0u; s < 4u; s++) {
        let x = tile_x[(lid.y + 16u * s) * TKP + kk];
        z[s] += vec4<f32>(dot(x, w[0]), dot(x, w[1]), dot(x, w[2]), dot(x, w[3]));
      }
    }
    workgroupBarrier();
  }
  return z;
}
