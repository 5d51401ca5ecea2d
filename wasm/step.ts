// The float64 reference's training step in WebAssembly (AssemblyScript; src/reference/step_wasm.ts
// holds it): the sums of src/reference/forward.ts and backward_update.ts, each in the same order,
// on two float64 lanes. Products are rounded before they are added (no fused multiply-add), as
// in JavaScript, so the bits are those of the JavaScript twins (test/reference/step_wasm.test.ts).
// Pointers are byte offsets into the imported memory; every array is float64.

const ZERO = f64x2.splat(0);

/** acc + (z > 0 ? a·z : +0): forward.ts's `if (z > 0) acc += a·z` (acc starts at +0 and is never −0, so adding +0 leaves it). */
// @ts-ignore: decorator
@inline function addActive(acc: v128, a: v128, z: v128): v128 {
  return f64x2.add(acc, v128.and(f64x2.mul(a, z), f64x2.gt(z, ZERO)));
}

/**
 * forward.ts for samples i0 ≤ i < i1 (i0 a multiple of 4): z_ir = Σ_k w_rk x_ik over k in order,
 * f_i = κ Σ_r a_r relu(z_ir) over r in order, into f[i]. Four samples × four neurons at a time: XT is
 * X transposed (d × np, np = n rounded up to 4, the padding zero), so that one load brings two
 * samples' x_k. Unless Z is 0, z_ir goes to Z[(i − i0)·m + r].
 */
export function forward(XT: usize, np: i32, W: usize, a: usize, i0: i32, i1: i32, d: i32, m: i32, kappa: f64, Z: usize, f: usize): void {
  const m4 = m - (m % 4);
  const rowW = <usize>d << 3, rowX = <usize>np << 3, rowZ = <usize>m << 3;
  for (let i = i0; i < i1; i += 4) {
    const live = min(i1 - i, 4);
    let f01 = ZERO, f23 = ZERO;
    const xi = XT + (<usize>i << 3);
    let r = 0;
    for (; r < m4; r += 4) {
      let z0 = ZERO, z1 = ZERO, z2 = ZERO, z3 = ZERO;
      let y0 = ZERO, y1 = ZERO, y2 = ZERO, y3 = ZERO;
      const w0 = W + <usize>r * rowW, w1 = w0 + rowW, w2 = w1 + rowW, w3 = w2 + rowW;
      let x = xi;
      for (let k = 0; k < d; k++) {
        const x01 = v128.load(x), x23 = v128.load(x, 16);
        const o = <usize>k << 3;
        const s0 = f64x2.splat(load<f64>(w0 + o)), s1 = f64x2.splat(load<f64>(w1 + o));
        const s2 = f64x2.splat(load<f64>(w2 + o)), s3 = f64x2.splat(load<f64>(w3 + o));
        z0 = f64x2.add(z0, f64x2.mul(s0, x01)); y0 = f64x2.add(y0, f64x2.mul(s0, x23));
        z1 = f64x2.add(z1, f64x2.mul(s1, x01)); y1 = f64x2.add(y1, f64x2.mul(s1, x23));
        z2 = f64x2.add(z2, f64x2.mul(s2, x01)); y2 = f64x2.add(y2, f64x2.mul(s2, x23));
        z3 = f64x2.add(z3, f64x2.mul(s3, x01)); y3 = f64x2.add(y3, f64x2.mul(s3, x23));
        x += rowX;
      }
      if (Z != 0) {
        // Rows i..i+3 of Z: lane 0 and 1 of z (samples i, i+1), then of y (i+2, i+3).
        const z = Z + <usize>(i - i0) * rowZ + (<usize>r << 3);
        storeLanes(z, z0, z1, z2, z3, 0);
        if (live > 1) storeLanes(z + rowZ, z0, z1, z2, z3, 1);
        if (live > 2) storeLanes(z + 2 * rowZ, y0, y1, y2, y3, 0);
        if (live > 3) storeLanes(z + 3 * rowZ, y0, y1, y2, y3, 1);
      }
      const ar = a + (<usize>r << 3);
      const a0 = f64x2.splat(load<f64>(ar)), a1 = f64x2.splat(load<f64>(ar, 8));
      const a2 = f64x2.splat(load<f64>(ar, 16)), a3 = f64x2.splat(load<f64>(ar, 24));
      f01 = addActive(addActive(addActive(addActive(f01, a0, z0), a1, z1), a2, z2), a3, z3);
      f23 = addActive(addActive(addActive(addActive(f23, a0, y0), a1, y1), a2, y2), a3, y3);
    }
    for (; r < m; r++) {
      let z = ZERO, y = ZERO;
      const w = W + <usize>r * rowW;
      let x = xi;
      for (let k = 0; k < d; k++) {
        const s = f64x2.splat(load<f64>(w + (<usize>k << 3)));
        z = f64x2.add(z, f64x2.mul(s, v128.load(x)));
        y = f64x2.add(y, f64x2.mul(s, v128.load(x, 16)));
        x += rowX;
      }
      if (Z != 0) {
        const zr = Z + <usize>(i - i0) * rowZ + (<usize>r << 3);
        store<f64>(zr, f64x2.extract_lane(z, 0));
        if (live > 1) store<f64>(zr + rowZ, f64x2.extract_lane(z, 1));
        if (live > 2) store<f64>(zr + 2 * rowZ, f64x2.extract_lane(y, 0));
        if (live > 3) store<f64>(zr + 3 * rowZ, f64x2.extract_lane(y, 1));
      }
      const ar = f64x2.splat(load<f64>(a + (<usize>r << 3)));
      f01 = addActive(f01, ar, z);
      f23 = addActive(f23, ar, y);
    }
    const fi = f + (<usize>i << 3);
    store<f64>(fi, kappa * f64x2.extract_lane(f01, 0));
    if (live > 1) store<f64>(fi, kappa * f64x2.extract_lane(f01, 1), 8);
    if (live > 2) store<f64>(fi, kappa * f64x2.extract_lane(f23, 0), 16);
    if (live > 3) store<f64>(fi, kappa * f64x2.extract_lane(f23, 1), 24);
  }
}

/** One sample's z for four consecutive neurons: lane `lane` of each. */
// @ts-ignore: decorator
@inline function storeLanes(p: usize, z0: v128, z1: v128, z2: v128, z3: v128, lane: u8): void {
  if (lane == 0) {
    store<f64>(p, f64x2.extract_lane(z0, 0)); store<f64>(p, f64x2.extract_lane(z1, 0), 8);
    store<f64>(p, f64x2.extract_lane(z2, 0), 16); store<f64>(p, f64x2.extract_lane(z3, 0), 24);
  } else {
    store<f64>(p, f64x2.extract_lane(z0, 1)); store<f64>(p, f64x2.extract_lane(z1, 1), 8);
    store<f64>(p, f64x2.extract_lane(z2, 1), 16); store<f64>(p, f64x2.extract_lane(z3, 1), 24);
  }
}

/**
 * gradientsFromZ's sums for samples i0 ≤ i < i1, added to G (m×d) and GA (m): for each active pair
 * (z_ij > 0), G_j += r_i x_i and GA_j += r_i z_ij, over i in order, two coordinates k at a time.
 * X is n×d row-major; Z holds rows i0..i1 − 1 (row-major, stride m).
 */
export function accumulate(X: usize, Z: usize, r: usize, i0: i32, i1: i32, d: i32, m: i32, G: usize, GA: usize): void {
  const d2 = d - (d % 2);
  const rowX = <usize>d << 3, rowZ = <usize>m << 3;
  for (let i = i0; i < i1; i++) {
    const ri = load<f64>(r + (<usize>i << 3));
    const rv = f64x2.splat(ri);
    const x = X + <usize>i * rowX;
    const z = Z + <usize>(i - i0) * rowZ;
    for (let j = 0; j < m; j++) {
      const zij = load<f64>(z + (<usize>j << 3));
      if (zij > 0) {
        const g = G + <usize>j * rowX;
        let k = 0;
        for (; k < d2; k += 2) {
          const o = <usize>k << 3;
          v128.store(g + o, f64x2.add(v128.load(g + o), f64x2.mul(rv, v128.load(x + o))));
        }
        if (k < d) {
          const o = <usize>k << 3;
          store<f64>(g + o, load<f64>(g + o) + ri * load<f64>(x + o));
        }
        const ga = GA + (<usize>j << 3);
        store<f64>(ga, load<f64>(ga) + ri * zij);
      }
    }
  }
}

/** scaleGradients and update() of backward_update.ts: W_j −= η_W·((κ a_j)·G_j), a_j −= η_a·(κ GA_j), with a_j before its update. */
export function update(W: usize, a: usize, G: usize, GA: usize, d: i32, m: i32, kappa: f64, etaW: f64, etaA: f64): void {
  for (let j = 0; j < m; j++) {
    const aj = a + (<usize>j << 3);
    const s = kappa * load<f64>(aj);
    const w = W + <usize>(j * d) * 8, g = G + <usize>(j * d) * 8;
    for (let k = 0; k < d; k++) {
      const o = <usize>k << 3;
      store<f64>(w + o, load<f64>(w + o) - etaW * (s * load<f64>(g + o)));
    }
    store<f64>(aj, load<f64>(aj) - etaA * (kappa * load<f64>(GA + (<usize>j << 3))));
  }
}
