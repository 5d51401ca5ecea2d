// The grid of `shallow-gd sweep`: `--grid KEY=VALUES` axes, checked against the schema, and
// their cartesian product as configs, each named by an id that resuming and merging rely on.
import {
  ConfigError, SETTINGS, buildConfig, checkValue, formatValue, parseValue, settingByFlag, settingByKey,
  type Config, type Setting, type SettingKey,
} from '../config/schema';

export interface GridAxis {
  key: SettingKey;
  /** The text after --grid, for messages. */
  spec: string;
  values: Config[SettingKey][];
}

export interface GridRun {
  id: string;
  settings: Config;
  /** One object for every point that differs from this one only in seed, which draws the data and never the sizes. */
  seedless: Config;
  /** The grid values of this run, as typed on the command line (for progress lines). */
  point: string;
}

/** Caps that turn a typo such as m=1..1e9 into an error instead of a billion configs. */
export const MAX_AXIS_VALUES = 10_000;
export const MAX_GRID_RUNS = 1_000_000;

// The schema's decimal notation (no hex, no empty string).
const NUM = String.raw`[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?`;
const RANGE = new RegExp(`^(${NUM})\\.\\.(${NUM})(?::([x+])(${NUM}))?$`, 'i');
// Steps land on the end of a range despite rounding (0.1..1:+0.1 has ten values).
const SLACK = 1e-9;

/** Names a run by every setting in schema order: the same config has the same id whatever the order of the flags. */
export function runId(c: Config): string {
  return runIdsBySeed(c)(c.seed);
}

const SEED_INDEX = SETTINGS.findIndex((s) => s.key === 'seed');

/** The ids of c with each seed: the other settings' text is formed once (a grid of 10⁶ points is mostly seeds). */
function runIdsBySeed(c: Config): (seed: number) => string {
  const parts = SETTINGS.map((s) => `${s.key}=${formatValue(s.key, c[s.key])}`);
  const before = parts.slice(0, SEED_INDEX).map((p) => `${p} `).join('');
  const after = parts.slice(SEED_INDEX + 1).map((p) => ` ${p}`).join('');
  return (seed) => `${before}seed=${seed}${after}`;
}

function rangeValues(s: Setting, m: RegExpExecArray): number[] {
  const [, from, to, op = '+', by = '1'] = m;
  const a = Number(from), b = Number(to), k = Number(by);
  if (a > b) throw new ConfigError(s.key, `the range start ${from} is above its end ${to}`);
  let count: number;
  if (op.toLowerCase() === 'x') {
    if (!(k > 1)) throw new ConfigError(s.key, `the factor after :x must be > 1; got ${by}`);
    if (!(a > 0)) throw new ConfigError(s.key, `a geometric range (:x) must start above 0; got ${from}`);
    count = Math.floor(Math.log(b / a) / Math.log(k) + SLACK) + 1;
  } else {
    if (!(k > 0)) throw new ConfigError(s.key, `the step after :+ must be > 0; got ${by}`);
    count = Math.floor((b - a) / k + SLACK) + 1;
  }
  if (count > MAX_AXIS_VALUES) throw new ConfigError(s.key, `the range has ${count} values, more than the ${MAX_AXIS_VALUES} one --grid allows`);
  return Array.from({ length: count }, (_, j) => {
    const v = op.toLowerCase() === 'x' ? a * k ** j : a + j * k;
    // Integer settings take the nearest integer (m=10..1000:x1.5); others lose the float noise of k^j.
    return s.kind.type === 'int' ? Math.round(v) : Number(v.toPrecision(12));
  });
}

/** Parses `KEY=v1,v2`, `KEY=a..b`, `KEY=a..b:xK` or `KEY=a..b:+K`; every value is checked by the schema. */
export function parseGridAxis(spec: string): GridAxis {
  const where = `--grid ${spec}`;
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new ConfigError('grid', `${where}: must be KEY=VALUES, e.g. m=4..4096:x2 or seed=1,2,3`);
  const name = spec.slice(0, eq).trim();
  const s = settingByKey(name) ?? settingByFlag(name);
  if (!s) throw new ConfigError('grid', `${where}: unknown setting ${JSON.stringify(name)}: KEY is a config key or flag (see shallow-gd train --help)`);
  const text = spec.slice(eq + 1).trim();
  const numeric = s.kind.type === 'int' || s.kind.type === 'number' || s.kind.type === 'rate';
  const range = numeric ? RANGE.exec(text) : null;
  try {
    const values = range ? rangeValues(s, range).map((v) => checkValue(s, v)) : text.split(',').map((v) => parseValue(s, v));
    // A set of values: rounding (m=1..10:x1.5) or a repeated list entry would otherwise run twice.
    const unique = new Map(values.map((v) => [formatValue(s.key, v), v]));
    return { key: s.key, spec, values: [...unique.values()] };
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(s.key, `${where}: ${e.message}`);
    throw e;
  }
}

/**
 * The cartesian product of the axes in the order given (the last axis varies fastest), on top
 * of the fixed settings. Each axis holds distinct values of its own setting, so every point is
 * a distinct config with a distinct id.
 */
export function expandGrid(fixed: Partial<Record<SettingKey, string>>, axes: readonly GridAxis[]): GridRun[] {
  const seenKeys = new Set<SettingKey>();
  for (const axis of axes) {
    const flag = settingByKey(axis.key)!.flag;
    if (seenKeys.has(axis.key)) throw new ConfigError(axis.key, `--grid ${axis.spec}: ${axis.key} has another --grid already; give each setting one axis`);
    if (fixed[axis.key] !== undefined) throw new ConfigError(axis.key, `--grid ${axis.spec}: --${flag} (${axis.key}) is also given as a fixed flag; a setting is either fixed or in the grid`);
    seenKeys.add(axis.key);
  }
  const total = axes.reduce((p, a) => p * a.values.length, 1);
  if (total > MAX_GRID_RUNS) throw new ConfigError('grid', `--grid: the grid has ${total} points, more than the ${MAX_GRID_RUNS} a sweep allows`);
  // A seed axis's values were checked one by one, and no other setting constrains the seed: the
  // points that differ only in seed share one built config and the text of their ids.
  const seedless = new Map<number, { settings: Config; ids: (seed: number) => string }>();
  const labels = axes.map((axis) => axis.values.map((v) => `${axis.key}=${formatValue(axis.key, v)}`));
  const seedAxis = axes.findIndex((a) => a.key === 'seed');
  const index: number[] = new Array(axes.length);
  return Array.from({ length: total }, (_, k) => {
    const point: string[] = new Array(axes.length);
    // The index of the point among the seedless ones: k with the seed axis's digit left out.
    let base = 0, stride = 1, rest = k;
    for (let j = axes.length - 1; j >= 0; j--) {
      const count = axes[j].values.length;
      index[j] = rest % count;
      rest = Math.floor(rest / count);
      point[j] = labels[j][index[j]];
      if (j !== seedAxis) {
        base += index[j] * stride;
        stride *= count;
      }
    }
    let shared = seedless.get(base);
    if (!shared) {
      const given: Partial<Record<SettingKey, unknown>> = { ...fixed };
      axes.forEach((axis, j) => {
        if (j !== seedAxis) given[axis.key] = axis.values[index[j]];
      });
      const settings = buildConfig(given);
      shared = { settings, ids: runIdsBySeed(settings) };
      seedless.set(base, shared);
    }
    const settings = seedAxis >= 0 ? { ...shared.settings, seed: axes[seedAxis].values[index[seedAxis]] as number } : shared.settings;
    return { id: shared.ids(settings.seed), settings, seedless: shared.settings, point: point.join(' ') || '(no grid)' };
  });
}
