// How the page writes numbers: three significant digits (num), powers of ten with superscript
// exponents where a quantity spans decades (log axes, loss factors), percentages for fractions.
import { num } from '../train/format';

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';

/** 10 with a superscript exponent: 10⁻⁴. */
export function powerOfTen(k: number): string {
  const digits = String(Math.abs(k)).split('').map((c) => SUPERSCRIPT[Number(c)]).join('');
  return `10${k < 0 ? '⁻' : ''}${digits}`;
}

/** A value as the page shows it; what was not measured (NaN, null) is a dash, never "NaN". */
export function shown(x: number | null | undefined): string {
  return x == null || Number.isNaN(x) ? '—' : num(x);
}

/** How many times something shrank or grew: 3.2× below a thousand, else in powers of ten (10⁶×, 3.4·10⁶×). */
export function factor(x: number): string {
  if (!Number.isFinite(x) || x <= 0) return '—';
  if (x < 1000) return `${num(x)}×`;
  let k = Math.floor(Math.log10(x));
  let mantissa = Number((x / 10 ** k).toPrecision(2));
  if (mantissa >= 10) [mantissa, k] = [1, k + 1];
  return `${mantissa === 1 ? '' : `${mantissa}·`}${powerOfTen(k)}×`;
}

/** A fraction as a percentage with two significant digits (14%, 0.52%). */
export function percent(x: number): string {
  if (!Number.isFinite(x)) return '—';
  return x === 0 ? '0%' : `${Number((100 * x).toPrecision(2))}%`;
}

/**
 * Tick labels of one axis in one format: on a log axis spanning a power of ten, the powers of
 * ten (the ticks between them unlabelled), else num() for every tick.
 */
export function tickLabels(splits: number[], log: boolean): string[] {
  if (spansPower(splits, log)) return splits.map((v) => (v != null && power(v) ? powerOfTen(Math.round(Math.log10(v))) : ''));
  return splits.map((v) => (v == null ? '' : num(v)));
}

/**
 * The ticks that get a grid line: the labelled ones (on a log axis spanning a power of ten, the
 * powers; a line at every unlabelled tick between them drew grey bands over the curves).
 */
export function gridSplits(splits: number[], log: boolean): (number | null)[] {
  return spansPower(splits, log) ? splits.map((v) => (v != null && power(v) ? v : null)) : splits;
}

const power = (v: number) => v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;
const spansPower = (splits: number[], log: boolean) => log && splits.some((v) => v != null && power(v));
