// The float64 reference's training step in WebAssembly (AssemblyScript; src/reference/step_wasm.ts
// holds it): the sums of src/reference/forward.ts, backward_update.ts and tangent.ts, each in the same order,
// on two float64 lanes. Products are rounded before they are added (no fused multiply-add), as
// in JavaScript, so the bits are those of the JavaScript twins (test/reference/step_wasm.test.ts).
// Pointers are byte offsets into the imported memory; every array is float64.

const ZERO = f64x2.splat(0);

/**
 * forward.ts for samples i0 ≤ i < i1 (i0 a multiple of 4): z_ir = Σ_k w_rk x_ik over k in order,
 * f_i = κ Σ_r a_r relu(z_ir) over r in order, into f[i]. XT is X transposed (d × np, np = n rounded
 * up to 4, the padding zero), so that one load brings two samples' x_k. Unless Z is 0, z_ir goes
 * to Z[r·zStride + i − i0]: neuron-major, so that the backward pass reads each neuron's z in
 * sample order (zStride, a multiple of 4, keeps the last block's padding lanes inside the row).
 */
export function forward(XT: usize, np: i32, W: usize, a: usize, i0: i32, i1: i32, d: i32, m: i32, kappa: f64, Z: usize, zStride: i32, f: usize): void {
  blocks(false, XT, np, W, a, 0, i0, i1, d, m, kappa, Z, zStride, f);
}

/**
 * tangent.ts's jvp from the pre-activations in Z (as forward() left them), for samples i0 ≤ i < i1:
 * out_i = κ Σ_r [z_ir > 0] (a_r·⟨u_r, x_i⟩ + ua_r·z_ir) over r in order, ⟨u_r, x_i⟩ over k in order.
 */
export function jvp(XT: usize, np: i32, U: usize, ua: usize, a: usize, i0: i32, i1: i32, d: i32, m: i32, kappa: f64, Z: usize, zStride: i32, out: usize): void {
  blocks(true, XT, np, U, a, ua, i0, i1, d, m, kappa, Z, zStride, out);
}

/**
 * forward() (tangent false: M = W) and jvp() (tangent true: M = U), four samples × four neurons at
 * a time: the dot products ⟨M_r, x_i⟩ in eight accumulators (lanes: samples i, i+1 and i+2, i+3),
 * then each neuron's term added to its samples' sums in neuron order.
 */
// @ts-ignore: decorator
@inline function blocks(tangent: bool, XT: usize, np: i32, M: usize, a: usize, ua: usize, i0: i32, i1: i32, d: i32, m: i32, kappa: f64, Z: usize, zStride: i32, out: usize): void {
  const m4 = m - (m % 4);
  const rowM = <usize>d << 3, rowX = <usize>np << 3, rowZ = <usize>zStride << 3;
  for (let i = i0; i < i1; i += 4) {
    const live = min(i1 - i, 4);
    let f01 = ZERO, f23 = ZERO;
    const xi = XT + (<usize>i << 3);
    const zi = Z + (<usize>(i - i0) << 3);
    let r = 0;
    for (; r < m4; r += 4) {
      let z0 = ZERO, z1 = ZERO, z2 = ZERO, z3 = ZERO;
      let y0 = ZERO, y1 = ZERO, y2 = ZERO, y3 = ZERO;
      const w0 = M + <usize>r * rowM, w1 = w0 + rowM, w2 = w1 + rowM, w3 = w2 + rowM;
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
      const zr = zi + <usize>r * rowZ;
      f01 = term(tangent, f01, z0, a, ua, r, zr, Z);
      f23 = term(tangent, f23, y0, a, ua, r, zr + 16, Z);
      f01 = term(tangent, f01, z1, a, ua, r + 1, zr + rowZ, Z);
      f23 = term(tangent, f23, y1, a, ua, r + 1, zr + rowZ + 16, Z);
      f01 = term(tangent, f01, z2, a, ua, r + 2, zr + 2 * rowZ, Z);
      f23 = term(tangent, f23, y2, a, ua, r + 2, zr + 2 * rowZ + 16, Z);
      f01 = term(tangent, f01, z3, a, ua, r + 3, zr + 3 * rowZ, Z);
      f23 = term(tangent, f23, y3, a, ua, r + 3, zr + 3 * rowZ + 16, Z);
    }
    for (; r < m; r++) {
      let z = ZERO, y = ZERO;
      const w = M + <usize>r * rowM;
      let x = xi;
      for (let k = 0; k < d; k++) {
        const s = f64x2.splat(load<f64>(w + (<usize>k << 3)));
        z = f64x2.add(z, f64x2.mul(s, v128.load(x)));
        y = f64x2.add(y, f64x2.mul(s, v128.load(x, 16)));
        x += rowX;
      }
      const zr = zi + <usize>r * rowZ;
      f01 = term(tangent, f01, z, a, ua, r, zr, Z);
      f23 = term(tangent, f23, y, a, ua, r, zr + 16, Z);
    }
    const o = out + (<usize>i << 3);
    store<f64>(o, kappa * f64x2.extract_lane(f01, 0));
    if (live > 1) store<f64>(o, kappa * f64x2.extract_lane(f01, 1), 8);
    if (live > 2) store<f64>(o, kappa * f64x2.extract_lane(f23, 0), 16);
    if (live > 3) store<f64>(o, kappa * f64x2.extract_lane(f23, 1), 24);
  }
}

/**
 * Neuron r's term for two samples, added to their sums `acc` (which start at +0 and are never −0,
 * so adding +0 for an inactive pair leaves them as skipping it would). forward: dot = z, kept at
 * zp unless Z is 0, and acc + (z > 0 ? a_r·z : +0), forward.ts's `if (z > 0) acc += a[r] * z`.
 * jvp: dot = ⟨u_r, x⟩, z read at zp, and acc + (z > 0 ? a_r·uz + ua_r·z : +0).
 */
// @ts-ignore: decorator
@inline function term(tangent: bool, acc: v128, dot: v128, a: usize, ua: usize, r: i32, zp: usize, Z: usize): v128 {
  const ar = f64x2.splat(load<f64>(a + (<usize>r << 3)));
  if (tangent) {
    const z = v128.load(zp);
    const t = f64x2.add(f64x2.mul(ar, dot), f64x2.mul(f64x2.splat(load<f64>(ua + (<usize>r << 3))), z));
    return f64x2.add(acc, v128.and(t, f64x2.gt(z, ZERO)));
  }
  if (Z != 0) v128.store(zp, dot);
  return f64x2.add(acc, v128.and(f64x2.mul(ar, dot), f64x2.gt(dot, ZERO)));
}

/**
 * backward_update.ts's gradients() sums for samples i0 ≤ i < i1, added to G (m×d) and GA (m): over i in order,
 * G_j += r_i x_i and GA_j += r_i z_ij where z_ij > 0. Neuron by neuron, eight coordinates k (then
 * two, then one) held in registers over all i. An inactive pair adds +0 rather than branching: the
 * active pattern is close to random, and a mispredicted branch per pair cost three times these
 * adds. G_jk starts at +0 and no sum of a +0 and a −0 is −0, so adding +0 leaves it unchanged.
 * X is n×d row-major; Z as forward() left it.
 */
export function accumulate(X: usize, Z: usize, zStride: i32, r: usize, i0: i32, i1: i32, d: i32, m: i32, G: usize, GA: usize): void {
  const rowX = <usize>d << 3;
  for (let j = 0; j < m; j++) {
    const zj = Z + <usize>j * (<usize>zStride << 3);
    const g = G + <usize>j * rowX;
    // Lane 0 of ga is GA_j; lane 1 the same sum again, unused.
    let ga = f64x2.splat(load<f64>(GA + (<usize>j << 3)));
    let k = 0;
    for (; k + 8 <= d; k += 8) {
      const gk = g + (<usize>k << 3);
      let g0 = v128.load(gk), g1 = v128.load(gk, 16), g2 = v128.load(gk, 32), g3 = v128.load(gk, 48);
      for (let i = i0; i < i1; i++) {
        const z = f64x2.splat(load<f64>(zj + (<usize>(i - i0) << 3)));
        const active = f64x2.gt(z, ZERO);
        const ri = f64x2.splat(load<f64>(r + (<usize>i << 3)));
        const c = v128.and(ri, active);
        const x = X + <usize>i * rowX + (<usize>k << 3);
        g0 = f64x2.add(g0, f64x2.mul(c, v128.load(x)));
        g1 = f64x2.add(g1, f64x2.mul(c, v128.load(x, 16)));
        g2 = f64x2.add(g2, f64x2.mul(c, v128.load(x, 32)));
        g3 = f64x2.add(g3, f64x2.mul(c, v128.load(x, 48)));
        if (k == 0) ga = f64x2.add(ga, v128.and(f64x2.mul(ri, z), active));
      }
      v128.store(gk, g0); v128.store(gk, g1, 16); v128.store(gk, g2, 32); v128.store(gk, g3, 48);
    }
    for (; k < d; k += 2) {
      // Two coordinates, or the last one alone in lane 0 (lane 1 is then neither read nor kept).
      const gk = g + (<usize>k << 3);
      const pair = k + 1 < d;
      let g0 = pair ? v128.load(gk) : f64x2.splat(load<f64>(gk));
      for (let i = i0; i < i1; i++) {
        const z = f64x2.splat(load<f64>(zj + (<usize>(i - i0) << 3)));
        const active = f64x2.gt(z, ZERO);
        const ri = f64x2.splat(load<f64>(r + (<usize>i << 3)));
        const x = X + <usize>i * rowX + (<usize>k << 3);
        g0 = f64x2.add(g0, f64x2.mul(v128.and(ri, active), pair ? v128.load(x) : f64x2.splat(load<f64>(x))));
        if (k == 0) ga = f64x2.add(ga, v128.and(f64x2.mul(ri, z), active));
      }
      if (pair) v128.store(gk, g0);
      else store<f64>(gk, f64x2.extract_lane(g0, 0));
    }
    store<f64>(GA + (<usize>j << 3), f64x2.extract_lane(ga, 0));
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
