// The critical width: where the success probability over seeds crosses a level (½, 0.9), from
// runs at several widths, with a confidence interval; and how it grows with n (the exponent p
// of m_c ∝ n^p). Pure functions: the report and the sweep summary give them records.

/** z of a two-sided 95% interval. */
const Z95 = 1.959963984540054;
/**
 * Ridge on the logistic slope: where every failure lies below every success (separable data,
 * common with few widths) the unpenalized slope grows without bound; this keeps it finite, the
 * crossing then falls between the last failure and the first success.
 */
const SLOPE_RIDGE = 1e-2;

export interface Trial {
  /** The width variable, e.g. m·d/n (positive: fitted on its logarithm). */
  x: number;
  converged: boolean;
}

export interface Crossing {
  /** Where the fitted success probability equals `level`, and its 95% interval. */
  x: number;
  ci: [number, number];
  level: number;
}

export interface LogisticFit {
  /** p(x) = 1 / (1 + exp(−(a + b·ln x))). */
  a: number;
  b: number;
  /** Covariance of (a, b): the inverse of the (penalized) Fisher information. */
  cov: [[number, number], [number, number]];
  trials: number;
}

const sigmoid = (t: number) => 1 / (1 + Math.exp(-t));

/** Maximum-likelihood logistic regression of success on ln x (Newton's method, ridge on the slope). */
export function fitLogistic(trials: readonly Trial[]): LogisticFit {
  if (trials.length < 2) throw new Error('fitLogistic: at least two trials are needed');
  const xs = trials.map((t) => Math.log(t.x));
  const ys = trials.map((t) => (t.converged ? 1 : 0));
  let a = 0;
  let b = 0;
  let info: [[number, number], [number, number]] = [[1, 0], [0, 1]];
  for (let it = 0; it < 100; it++) {
    let ga = 0, gb = -SLOPE_RIDGE * b, haa = 0, hab = 0, hbb = SLOPE_RIDGE;
    xs.forEach((x, i) => {
      const p = sigmoid(a + b * x);
      const w = p * (1 - p);
      ga += ys[i] - p;
      gb += (ys[i] - p) * x;
      haa += w;
      hab += w * x;
      hbb += w * x * x;
    });
    // A tiny floor on the intercept's curvature: all successes or all failures still solve.
    haa += 1e-9;
    info = [[haa, hab], [hab, hbb]];
    const det = haa * hbb - hab * hab;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a += da;
    b += db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  const det = info[0][0] * info[1][1] - info[0][1] * info[0][1];
  return { a, b, cov: [[info[1][1] / det, -info[0][1] / det], [-info[0][1] / det, info[0][0] / det]], trials: trials.length };
}

/** Where the fit crosses `level`, with a delta-method interval on ln x. */
export function crossing(fit: LogisticFit, level = 0.5): Crossing | null {
  if (!(fit.b > 0)) return null;
  const logit = Math.log(level / (1 - level));
  const g = (logit - fit.a) / fit.b;
  // ∇g with respect to (a, b).
  const da = -1 / fit.b;
  const db = -(logit - fit.a) / (fit.b * fit.b);
  const v = da * da * fit.cov[0][0] + 2 * da * db * fit.cov[0][1] + db * db * fit.cov[1][1];
  const half = Z95 * Math.sqrt(Math.max(v, 0));
  return { x: Math.exp(g), ci: [Math.exp(g - half), Math.exp(g + half)], level };
}

export interface PowerFit {
  /** y ∝ n^exponent, with its 95% interval. */
  exponent: number;
  ci: [number, number];
  /** y at n = 1 (the prefactor). */
  prefactor: number;
}

/**
 * Weighted least squares of ln y on ln n, each point weighted by the inverse variance of its
 * ln y (from its interval): the exponent of y ∝ n^p with a 95% interval.
 */
export function fitPower(points: readonly { n: number; y: number; ci: [number, number] }[]): PowerFit {
  if (points.length < 2) throw new Error('fitPower: at least two points are needed');
  let sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const p of points) {
    const x = Math.log(p.n);
    const y = Math.log(p.y);
    const se = (Math.log(p.ci[1]) - Math.log(p.ci[0])) / (2 * Z95);
    const w = 1 / Math.max(se * se, 1e-12);
    sw += w;
    sx += w * x;
    sy += w * y;
    sxx += w * x * x;
    sxy += w * x * y;
  }
  const det = sw * sxx - sx * sx;
  const slope = (sw * sxy - sx * sy) / det;
  const intercept = (sy - slope * sx) / sw;
  const half = Z95 * Math.sqrt(sw / det);
  return { exponent: slope, ci: [slope - half, slope + half], prefactor: Math.exp(intercept) };
}
