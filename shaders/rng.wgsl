// Philox2x32-10, the twin of src/reference/rng.ts: the same (seed, stream, index, lane)
// gives the same words. Included by the init kernels; log and cos are written out with
// plain arithmetic so their accuracy does not depend on the adapter's builtins.

const PHILOX_M: u32 = 0xd256d193u;
const PHILOX_W: u32 = 0x9e3779b9u;

fn mulhi32(a: u32, b: u32) -> u32 {
  let a0 = a & 0xffffu; let a1 = a >> 16u; let b0 = b & 0xffffu; let b1 = b >> 16u;
  let p00 = a0 * b0; let p01 = a0 * b1; let p10 = a1 * b0; let p11 = a1 * b1;
  let mid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  return p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
}

fn philox(c: vec2<u32>, key: u32) -> vec2<u32> {
  var x0 = c.x; var x1 = c.y; var k = key;
  for (var round = 0u; round < 10u; round++) {
    let hi = mulhi32(PHILOX_M, x0);
    let lo = PHILOX_M * x0;
    x0 = hi ^ k ^ x1;
    x1 = lo;
    k += PHILOX_W;
  }
  return vec2<u32>(x0, x1);
}

fn rng_counter(stream: u32, index: u32, lane: u32) -> vec2<u32> {
  return vec2<u32>(index, (stream << 16u) | lane);
}

fn to_uniform(word: u32) -> f32 {
  return (f32(word >> 9u) + 0.5) * 1.1920928955078125e-7; // 2^-23
}

// ln(u) for normal positive u: u = mant · 2^e with mant in [√½, √2), then
// ln(mant) = 2 atanh(s), s = (mant−1)/(mant+1), |s| < 0.172: six odd terms reach f32 precision.
fn ln_f32(u: f32) -> f32 {
  let bits = bitcast<u32>(u);
  var e = i32(bits >> 23u) - 127;
  var mant = bitcast<f32>((bits & 0x007fffffu) | 0x3f800000u);
  if (mant > 1.41421356) { mant = mant * 0.5; e = e + 1; }
  let s = (mant - 1.0) / (mant + 1.0);
  let s2 = s * s;
  let series = 1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0 + s2 * (1.0 / 11.0)))));
  return 2.0 * s * series + f32(e) * 0.69314718;
}

// cos(2π t) for t in (0, 1): exact reduction to a quadrant, then Taylor series on [0, π/2).
fn cos_2pi(t: f32) -> f32 {
  let q4 = t * 4.0;
  let q = floor(q4);
  let x = (q4 - q) * 1.57079633;
  let x2 = x * x;
  let c = 1.0 - x2 / 2.0 * (1.0 - x2 / 12.0 * (1.0 - x2 / 30.0 * (1.0 - x2 / 56.0 * (1.0 - x2 / 90.0 * (1.0 - x2 / 132.0)))));
  let s = x * (1.0 - x2 / 6.0 * (1.0 - x2 / 20.0 * (1.0 - x2 / 42.0 * (1.0 - x2 / 72.0 * (1.0 - x2 / 110.0 * (1.0 - x2 / 156.0))))));
  let quadrant = u32(q) & 3u;
  if (quadrant == 0u) { return c; }
  if (quadrant == 1u) { return -s; }
  if (quadrant == 2u) { return -c; }
  return s;
}

fn rng_gaussian(seed: u32, stream: u32, index: u32, lane: u32) -> f32 {
  let w = philox(rng_counter(stream, index, lane), seed);
  return sqrt(-2.0 * ln_f32(to_uniform(w.x))) * cos_2pi(to_uniform(w.y));
}

fn rng_sign(seed: u32, stream: u32, index: u32, lane: u32) -> f32 {
  let w = philox(rng_counter(stream, index, lane), seed);
  return select(-1.0, 1.0, (w.x >> 31u) != 0u);
}

// Parameters of the init kernels (layout written by src/gpu/layout.ts).
struct InitParams {
  seed: u32,
  stream_a: u32,   // X / labels / W stream
  stream_b: u32,   // a stream (init_neurons)
  flag: u32,       // init_x: sphere; init_labels: sign; init_neurons: a = ±scale_b
  count: u32,      // rows, labels or neurons to write
  offset: u32,     // global index of the first neuron (init_neurons)
  d: u32,
  _pad: u32,
  scale_a: f32,
  scale_b: f32,
  _pad1: f32,
  _pad2: f32,
}
