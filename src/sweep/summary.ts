// What a sweep found: success probability (over seeds) and median steps to eps against m·d/n,
// placed against the widths of MODEL.md's "Thresholds users compare against", and a phase
// diagram of success over m × n (or m × etaW/etaA). Pure functions of the records.
import { SETTINGS, formatValue, type SettingKey } from '../config/schema';
import { crossing, fitLogistic, fitPower, type Crossing, type PowerFit } from './critical';
import type { SweepRecord } from './record';

export type SummaryInput = Pick<SweepRecord, 'settings' | 'converged' | 'steps_to_eps'> & {
  config: Pick<SweepRecord['config'], 'etaW' | 'etaA' | 'auto'>;
};

/**
 * MODEL.md's widths, as the width m at which each holds with equality. They are nested (for
 * n, d ≥ 1, m ≥ n² gives m·d ≥ n², which gives m(d+1) > n), so a run meets a prefix of them.
 */
export const THRESHOLDS = [
  { mark: 'P', rule: 'm(d+1) ≥ n', source: 'parameter count, necessary to interpolate', width: (n: number, d: number) => n / (d + 1) },
  { mark: 'O', rule: 'm·d ≥ n²', source: 'Oymak–Soltanolkotabi 2020', width: (n: number, d: number) => (n * n) / d },
  { mark: 'N', rule: 'm ≥ n²', source: 'Nguyen 2021', width: (n: number) => n * n },
] as const;

/** How many of THRESHOLDS (m, n, d) meets. */
export function thresholdsMet(m: number, n: number, d: number): number {
  return THRESHOLDS.filter((t) => m >= t.width(n, d)).length;
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

export interface SuccessRow {
  /** The settings that vary across the sweep, seed excepted, formatted. */
  settings: Partial<Record<SettingKey, string>>;
  m: number;
  n: number;
  d: number;
  md_over_n: number;
  thresholds_met: number;
  runs: number;
  converged: number;
  success: number;
  /** The success probability's 95% Wilson interval. */
  success_ci: [number, number];
  /** Over the runs that converged. */
  median_steps_to_eps: number | null;
}

export interface PhaseCell {
  runs: number;
  success: number;
  success_ci: [number, number];
  /** null when the cell pools runs of different (m, n, d) standing. */
  thresholds_met: number | null;
}

export interface PhaseDiagram {
  columns: 'n' | 'etaW/etaA';
  /** Row labels (m) and column labels (n or the rate ratio), ascending. */
  m: number[];
  values: (number | string)[];
  /** cells[i][j]: runs with m = m[i] and column value values[j], or null. */
  cells: (PhaseCell | null)[][];
  /** Varying settings the cells pool over. */
  pooled: SettingKey[];
}

export interface SweepSummary {
  runs: number;
  converged: number;
  /** Settings with more than one value among the runs. */
  varying: SettingKey[];
  /** Where each threshold falls in m·d/n, when n and d are the same for every run. */
  thresholds: { rule: string; source: string; md_over_n: number }[] | null;
  rows: SuccessRow[];
  phase: PhaseDiagram | null;
  /** Where success crosses ½ and 0.9 in m·d/n, per setting of everything but m and seed (m must vary, over 3 widths or more). */
  critical: CriticalRow[];
  /** How the critical m (½) grows with n, where n varies over 3 values or more with a crossing each. */
  criticalExponent: PowerFit | null;
}

export interface CriticalRow {
  settings: Partial<Record<SettingKey, string>>;
  n: number;
  d: number;
  runs: number;
  /** The m·d/n the runs span: a crossing outside it would be an extrapolation, and is null. */
  span: [number, number];
  half: Crossing | null;
  ninety: Crossing | null;
}

/** Fewest widths a crossing is fitted over. */
const MIN_WIDTHS = 3;

function criticalRows(records: readonly SummaryInput[], varying: SettingKey[]): CriticalRow[] {
  if (!varying.includes('m')) return [];
  const others = varying.filter((k) => k !== 'm' && k !== 'seed');
  const groups = groupBy(records, (r) => JSON.stringify(others.map((k) => fmt(r, k))));
  return [...groups.values()].flatMap((rs) => {
    if (new Set(rs.map((r) => r.settings.m)).size < MIN_WIDTHS) return [];
    const { n, d } = rs[0].settings;
    const trials = rs.map((r) => ({ x: (r.settings.m * r.settings.d) / r.settings.n, converged: r.converged }));
    const span: [number, number] = [Math.min(...trials.map((t) => t.x)), Math.max(...trials.map((t) => t.x))];
    const fit = fitLogistic(trials);
    const inside = (c: Crossing | null) => (c && c.x >= span[0] && c.x <= span[1] ? c : null);
    return [{ settings: Object.fromEntries(others.map((k) => [k, fmt(rs[0], k)])), n, d, runs: rs.length, span, half: inside(crossing(fit, 0.5)), ninety: inside(crossing(fit, 0.9)) }];
  });
}

/** The exponent of m_c ∝ n^p over the critical rows that differ only in n. */
function criticalExponent(rows: readonly CriticalRow[], varying: SettingKey[]): PowerFit | null {
  if (!varying.includes('n') || varying.some((k) => !['m', 'n', 'seed'].includes(k))) return null;
  const points = rows.filter((r) => r.half).map((r) => ({ n: r.n, y: (r.half!.x * r.n) / r.d, ci: r.half!.ci.map((x) => (x * r.n) / r.d) as [number, number] }));
  return points.length >= MIN_WIDTHS ? fitPower(points) : null;
}

const fmt = (r: SummaryInput, key: SettingKey) => formatValue(key, r.settings[key]);
/** A setting as a sort key: numbers as numbers, anything else (labels, presets) as text. */
const sortable = (r: SummaryInput, key: SettingKey) => {
  const v = r.settings[key];
  return typeof v === 'number' ? v : formatValue(key, v);
};

export function groupBy<T>(items: readonly T[], key: (t: T) => string | number): Map<string | number, T[]> {
  const groups = new Map<string | number, T[]>();
  for (const t of items) {
    const k = key(t);
    const group = groups.get(k);
    if (group) group.push(t);
    else groups.set(k, [t]);
  }
  return groups;
}

const successOf = (rs: readonly SummaryInput[]) => rs.filter((r) => r.converged).length / rs.length;

/** z of a two-sided 95% interval. */
const Z95 = 1.959963984540054;

/**
 * The Wilson score interval of a success probability from k successes in n runs: unlike the
 * normal approximation it stays inside [0, 1] and is not empty at 0 or n successes.
 */
export function wilson(k: number, n: number, z = Z95): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

const intervalOf = (rs: readonly SummaryInput[]) => wilson(rs.filter((r) => r.converged).length, rs.length);

function commonLevel(rs: readonly SummaryInput[]): number | null {
  const levels = new Set(rs.map((r) => thresholdsMet(r.settings.m, r.settings.n, r.settings.d)));
  return levels.size === 1 ? [...levels][0] : null;
}

/** Numbers in numeric order (NaN last), anything else as text. */
function compareValues(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) ? 1 : Number.isNaN(b) ? -1 : a - b;
  return String(a).localeCompare(String(b));
}

/** Bins per decade of a rate ratio that an automatic rate set: rates measured per seed differ by up to 17%. */
const RATIO_BINS_PER_DECADE = 3;

/**
 * The rate ratio as a phase diagram's column: `auto` where both rates are automatic (they are
 * measured per seed, so the ratio differs a little from run to run), the ratio's log-spaced
 * bin where one is, and the ratio itself (3 significant digits) where both are given.
 */
function rateRatio(r: SummaryInput): number | string {
  const { auto, etaW, etaA } = r.config;
  if ((auto.etaW && auto.etaA) || auto.shared) return 'auto';
  const ratio = etaW / etaA;
  if (!(auto.etaW || auto.etaA) || !Number.isFinite(ratio) || ratio === 0) return Number(ratio.toPrecision(3));
  return Number((10 ** (Math.round(Math.log10(ratio) * RATIO_BINS_PER_DECADE) / RATIO_BINS_PER_DECADE)).toPrecision(3));
}

function phaseDiagram(records: readonly SummaryInput[], varying: SettingKey[]): PhaseDiagram | null {
  if (!varying.includes('m')) return null;
  const ratioVaries = [...groupBy(records, (r) => r.settings.m).values()].some((rs) => new Set(rs.map(rateRatio)).size > 1);
  // With auto rates the ratio follows m; it is a second axis only when it varies at a fixed m.
  if (!varying.includes('n') && !ratioVaries) return null;
  const columns: PhaseDiagram['columns'] = varying.includes('n') ? 'n' : 'etaW/etaA';
  const column = columns === 'n' ? (r: SummaryInput) => r.settings.n : rateRatio;
  const consumed: SettingKey[] = columns === 'n' ? ['n'] : ['etaW', 'etaA'];
  const ms = [...new Set(records.map((r) => r.settings.m))].sort(compareValues);
  const values = [...new Set(records.map(column))].sort(compareValues);
  const byCell = groupBy(records, (r) => `${r.settings.m} ${column(r)}`);
  const cells = ms.map((m) =>
    values.map((v) => {
      const rs = byCell.get(`${m} ${v}`);
      return rs ? { runs: rs.length, success: successOf(rs), success_ci: intervalOf(rs), thresholds_met: commonLevel(rs) } : null;
    }),
  );
  const pooled = varying.filter((k) => k !== 'm' && k !== 'seed' && !consumed.includes(k));
  return { columns, m: ms, values, cells, pooled };
}

export function summarizeSweep(records: readonly SummaryInput[]): SweepSummary {
  const varying = SETTINGS.map((s) => s.key).filter((k) => new Set(records.map((r) => fmt(r, k))).size > 1);
  const grouping = varying.filter((k) => k !== 'seed');
  const groups = groupBy(records, (r) => JSON.stringify(grouping.map((k) => fmt(r, k))));
  const rows: SuccessRow[] = [...groups.values()]
    .sort((a, b) => {
      const [ra, rb] = [a[0].settings, b[0].settings];
      return (ra.m * ra.d) / ra.n - (rb.m * rb.d) / rb.n || grouping.reduce((c, k) => c || compareValues(sortable(a[0], k), sortable(b[0], k)), 0);
    })
    .map((rs) => {
      const { m, n, d } = rs[0].settings;
      const steps = rs.filter((r) => r.converged && r.steps_to_eps !== null).map((r) => r.steps_to_eps as number);
      return {
        settings: Object.fromEntries(grouping.map((k) => [k, fmt(rs[0], k)])),
        m, n, d,
        md_over_n: (m * d) / n,
        thresholds_met: thresholdsMet(m, n, d),
        runs: rs.length,
        converged: rs.filter((r) => r.converged).length,
        success: successOf(rs),
        success_ci: intervalOf(rs),
        median_steps_to_eps: median(steps),
      };
    });
  const critical = criticalRows(records, varying);
  const fixedND = records.length > 0 && !varying.includes('n') && !varying.includes('d');
  const { n, d } = records[0]?.settings ?? { n: 0, d: 0 };
  return {
    runs: records.length,
    converged: records.filter((r) => r.converged).length,
    varying,
    thresholds: fixedND ? THRESHOLDS.map((t) => ({ rule: t.rule, source: t.source, md_over_n: (t.width(n, d) * d) / n })) : null,
    rows,
    phase: phaseDiagram(records, varying),
    critical,
    criticalExponent: criticalExponent(critical, varying),
  };
}

const g = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(4))) : x > 0 ? '∞' : String(x));
const label = (x: number | string) => (typeof x === 'number' ? g(x) : x);
const ci = ([lo, hi]: [number, number]) => `[${lo.toFixed(2)}, ${hi.toFixed(2)}]`;
const marks = (level: number | null) => (level === null ? '?' : THRESHOLDS.slice(0, level).map((t) => t.mark).join('') || '-');

function table(header: string[], body: string[][]): string[] {
  const widths = header.map((h, j) => Math.max(h.length, ...body.map((r) => r[j].length)));
  return [header, ...body].map((r) => r.map((c, j) => c.padEnd(widths[j])).join('  ').trimEnd());
}

export function summaryText(s: SweepSummary): string {
  if (s.runs === 0) return 'no runs to summarize';
  const legend = THRESHOLDS.map((t) => `${t.mark}: ${t.rule} (${t.source})`).join('; ');
  const lines = [
    `${s.runs} runs, ${s.converged} converged (L/L0 < eps); success = converged fraction over seeds, [its 95% Wilson interval]; median steps to eps over converged runs`,
    `thresholds met — ${legend}; -: none` + (s.phase ? '; ?: a cell mixing runs that meet different ones' : ''),
  ];
  if (s.thresholds) {
    const { n, d } = s.rows[0];
    lines.push(`at n=${n} d=${d} they fall at m·d/n = ${s.thresholds.map((t, j) => `${g(t.md_over_n)} (${THRESHOLDS[j].mark})`).join(', ')}`);
  }
  const keys = s.varying.filter((k) => k !== 'seed');
  lines.push('', ...table(
    ['m·d/n', ...keys, 'runs', 'success', 'median steps', 'thresholds'],
    s.rows.map((r) => [
      g(r.md_over_n), ...keys.map((k) => r.settings[k] ?? ''), String(r.runs),
      `${r.success.toFixed(2)} ${ci(r.success_ci)} (${r.converged}/${r.runs})`, r.median_steps_to_eps === null ? '—' : g(r.median_steps_to_eps), marks(r.thresholds_met),
    ]),
  ));
  if (s.critical.length) {
    const okeys = s.varying.filter((k) => k !== 'm' && k !== 'seed');
    const at = (c: Crossing | null, r: CriticalRow) => (c ? `${g(c.x)} ${ci(c.ci)}` : `not within ${g(r.span[0])}–${g(r.span[1])}`);
    lines.push(
      '',
      'critical width: the m·d/n where success crosses ½ and 0.9 (logistic fit over widths, 95% intervals)',
      ...table([...okeys, 'runs', 'm·d/n at ½', 'm·d/n at 0.9'], s.critical.map((r) => [...okeys.map((k) => r.settings[k] ?? ''), String(r.runs), at(r.half, r), at(r.ninety, r)])),
    );
    const e = s.criticalExponent;
    if (e) lines.push(`critical m grows like n^p: p = ${g(e.exponent)} ${ci(e.ci)}`);
  }
  const p = s.phase;
  if (p) {
    lines.push(
      '',
      `phase diagram: success over m (rows) × ${p.columns} (columns), each cell marked with the thresholds its runs meet` +
        (p.pooled.length ? `; pooled over ${p.pooled.join(', ')}` : ''),
      ...table(
        [`m \\ ${p.columns}`, ...p.values.map(label)],
        p.m.map((m, i) => [String(m), ...p.cells[i].map((c) => (c ? `${c.success.toFixed(2)} ${ci(c.success_ci)} ${marks(c.thresholds_met)}` : '·'))]),
      ),
    );
  }
  return lines.join('\n');
}
