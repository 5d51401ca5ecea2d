// Number, size and duration formatting for the page, and the one-line description of a run.
import type { Resolved } from '../config/resolve';
import { SETTINGS, formatValue, type SettingKey } from '../config/schema';

/** Three significant digits; exponent form outside [1e-3, 1e5). */
export function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e5 ? String(Number(x.toPrecision(3))) : x.toExponential(2);
}

export function rate(x: number): string {
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : num(x);
}

export function bytes(b: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let k = 0;
  while (b >= 1024 && k < units.length - 1) {
    b /= 1024;
    k++;
  }
  return `${k === 0 ? b : b.toFixed(1)} ${units[k]}`;
}

export function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '—';
  const t = Math.ceil(s);
  if (t < 60) return `${t} s`;
  if (t < 3600) return `${Math.floor(t / 60)} min ${t % 60} s`;
  return `${Math.floor(t / 3600)} h ${Math.floor((t % 3600) / 60)} min`;
}

const LABELLED = new Set<SettingKey>(['m', 'n', 'd', 'preset', 'etaW', 'etaA']);

/**
 * Legend labels that tell overlaid runs apart: sizes, preset and the numeric rates, then
 * every other setting whose value differs between the runs (a seed, a parametrization…).
 */
export function runLabels(configs: readonly Resolved[]): string[] {
  // The rates, resolved to numbers, are labelled above; every other key keeps its config type.
  type Plain = Exclude<SettingKey, 'etaW' | 'etaA'>;
  const text = (c: Resolved, key: Plain) => formatValue(key, c[key]);
  const differing = SETTINGS.map((s) => s.key as Plain).filter((key) => !LABELLED.has(key) && new Set(configs.map((c) => text(c, key))).size > 1);
  return configs.map((c) =>
    [`m=${c.m} n=${c.n} d=${c.d} ${c.preset} ηW=${num(c.etaW)} ηA=${num(c.etaA)}`, ...differing.map((key) => `${key}=${text(c, key)}`)].join(' '));
}

/** Everything else about a run's config, for the runs list. */
export function runDetails(c: Resolved): string {
  return [
    `${c.param} (κ=${num(c.outputScale)})`,
    `labels=${formatValue('labels', c.labels)}`,
    `data=${c.data}`,
    `init a: ${c.outputInit}`,
    `seed=${c.seed}`,
    `steps≤${c.steps}`,
    `eps=${c.eps}${c.stopAtEps ? '' : ' (no stop)'}`,
    `m·d/n=${num((c.m * c.d) / c.n)}`,
  ].join(' · ');
}
