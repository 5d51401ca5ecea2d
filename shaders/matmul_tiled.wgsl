// The benchmark's yardstick, variant for GPUs: Z = X Wᵀ for one slice of neurons with
// 64×64 output tiles per workgroup, each thread a 4×4 block (rows ty + 16·r, columns
// tx + 16·c), and the depth staged through workgroup memory KV vec4s at a time, so each
// X and W element is read from global memory once per tile instead of once per thread.

struct MatmulDims { n: u32, cols: u32, first: u32, _pad: u32 }

const T: u32 = 64u;        // tile rows and columns
const KV: u32 = 4u;        // vec4s of depth per stage
const KP: u32 = KV + 1u;   // padded row: consecutive threads' vec4 loads fall in different banks

@group(0) @binding(0) var<uniform> md: MatmulDims;
@group(0) @binding(1) var<storage, read> X: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> W: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> Z: array<f32>;

var<workgroup> xs: array<vec4<f32>, T * KP>;
var<workgroup> ws: array<vec4<f32>, T * KP>;

@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let row0 = wid.y * T;
  let col0 = wid.x * T;
  let flat = lid.y * 16u + lid.x;
  let lr = flat / KV;        // the tile row this thread stages
  let lk = flat % KV;
  let xrow = min(row0 + lr, md.n - 1u);
  let wrow = md.first + min(col0 + lr, md.cols - 1u);
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < D4; k0 += KV) {
    let k = k0 + lk;
    let inside = k < D4;
    xs[lr * KP + lk] = select(vec4<f32>(0.0), X[xrow * D4 + min(k, D4 - 1u)], inside);
    ws[lr * KP + lk] = select(vec4<f32>(0.0), W[wrow * D4 + min(k, D4 - 1u)], inside);
    workgroupBarrier();
    for (var kk = 0u; kk < KV; kk++) {
      var w: array<vec4<f32>, 4>;
      for (var c = 0u; c < 4u; c++) { w[c] = ws[(lid.x + 16u * c) * KP + kk]; }
      for (var r = 0u; r < 4u; r++) {
        let x = xs[(lid.y + 16u * r) * KP + kk];
        acc[r] += vec4<f32>(dot(x, w[0]), dot(x, w[1]), dot(x, w[2]), dot(x, w[3]));
      }
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < 4u; r++) {
    let i = row0 + lid.y + 16u * r;
    for (var c = 0u; c < 4u; c++) {
      let j = col0 + lid.x + 16u * c;
      if (i < md.n && j < md.cols) { Z[i * md.cols + j] = acc[r][c]; }
    }
  }
}
