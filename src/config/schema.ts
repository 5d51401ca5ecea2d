// The one config schema: every setting's type, range, default, CLI flag and help text.
// The CLI, the page and the tests all parse and validate through this table.

export type Parametrization = 'standard' | 'ntk';
export type OutputInit = 'normal' | 'sign';
export type DataKind = 'gaussian' | 'sphere';
/** A learning rate as given: a number, `auto` (c/λ̂ of its block), or for etaA `same` (= etaW). */
export type RateSetting = number | 'auto' | 'same';

export type LabelSpec =
  | { kind: 'sign' }
  | { kind: 'gaussian' }
  | { kind: 'teacher'; width: number }
  | { kind: 'adversarial' }
  | { kind: 'file'; path: string };

export const PRESETS = {
  razborov: {
    help: 'standard parametrization, both layers trained at once, each with its own rate',
    values: { param: 'standard', etaW: 'auto', etaA: 'auto', outputInit: 'normal', data: 'gaussian' },
  },
  'oymak-soltanolkotabi': {
    help: 'first layer only (etaA = 0)',
    values: { param: 'standard', etaW: 'auto', etaA: 0, outputInit: 'normal', data: 'gaussian' },
  },
  nguyen: {
    help: 'both layers, LeCun (standard) initialization, one shared rate',
    values: { param: 'standard', etaW: 'auto', etaA: 'same', outputInit: 'normal', data: 'gaussian' },
  },
  du: {
    help: 'ntk parametrization, output weights ±1 and frozen, data on the unit sphere',
    values: { param: 'ntk', etaW: 'auto', etaA: 0, outputInit: 'sign', data: 'sphere' },
  },
  'random-features': {
    help: 'second layer only (etaW = 0)',
    values: { param: 'standard', etaW: 0, etaA: 'auto', outputInit: 'normal', data: 'gaussian' },
  },
} as const satisfies Record<string, { help: string; values: Partial<Record<SettingKey, unknown>> }>;

export type PresetName = keyof typeof PRESETS;

export interface Config {
  preset: PresetName;
  n: number;
  d: number;
  m: number;
  /** A number, or `auto`: the budget rule (budgetMultiple / λ_min(H_0), at most budgetCap). */
  steps: number | 'auto';
  budgetMultiple: number;
  budgetCap: number;
  stallSlope: number;
  etaW: RateSetting;
  etaA: RateSetting;
  rateFactor: number;
  param: Parametrization;
  sigmaW: number;
  sigmaA: number;
  outputInit: OutputInit;
  data: DataKind;
  labels: LabelSpec;
  seed: number;
  eps: number;
  stopAtEps: boolean;
  spectrum: boolean;
  sharpnessProducts: number;
  linearized: boolean;
  divergeAt: number;
  logEvery: number;
  logPerDecade: number;
  blockNeurons: number;
  autotune: 'on' | 'off' | 'refresh';
}

export type SettingKey = keyof Config;

type Kind =
  | { type: 'int'; min: number; max: number; allowAuto?: boolean }
  | { type: 'number'; min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'rate'; allowSame: boolean }
  | { type: 'bool' }
  | { type: 'labels' };

export interface Setting {
  key: SettingKey;
  flag: string;
  group: 'problem' | 'model' | 'training' | 'run';
  kind: Kind;
  default: Config[SettingKey];
  help: string;
}

export const MAX_TEACHER_WIDTH = 1 << 20;
/** The budget rule's and the stall test's defaults: measured in docs/STABILITY.md. */
/** The default rate factor c of automatic rates c/λ_max: measured in docs/STABILITY.md (the default experiments stay below sharpness 2). */
export const RATE_FACTOR = 0.1;
export const BUDGET_MULTIPLE = 20;
export const BUDGET_CAP = 200_000;
export const STALL_SLOPE = 0.5;
/** Largest n for which the n×n tangent kernel is formed and eigendecomposed (O(n³) on the CPU). */
export const MAX_DENSE_N = 4096;

const setting = <K extends SettingKey>(
  key: K,
  flag: string,
  group: Setting['group'],
  kind: Kind,
  def: Config[K],
  help: string,
): Setting => ({ key, flag, group, kind, default: def, help });

export const SETTINGS: readonly Setting[] = [
  setting('preset', 'preset', 'model', { type: 'enum', values: Object.keys(PRESETS) }, 'razborov',
    'named experiment; it sets several settings, which explicit settings override'),
  // WebGPU dispatches at most 65535 workgroups of 64 samples per dimension.
  setting('n', 'n', 'problem', { type: 'int', min: 1, max: 4_000_000 }, 128, 'number of training samples'),
  setting('d', 'd', 'problem', { type: 'int', min: 1, max: 4096 }, 16, 'input dimension'),
  setting('m', 'm', 'model', { type: 'int', min: 1, max: 2 ** 31 - 1 }, 64, 'hidden width (neurons)'),
  setting('steps', 'steps', 'training', { type: 'int', min: 0, max: 1e9, allowAuto: true }, 50000,
    'maximum number of GD steps, or auto: budgetMultiple / λ_min(H_0) (the kernel at the run\'s rates, by Lanczos at initialization), at most budgetCap'),
  setting('budgetMultiple', 'budget-multiple', 'training', { type: 'number', min: 0, max: 1e6, minExclusive: true }, BUDGET_MULTIPLE,
    'steps auto: the budget in units of 1/λ_min(H_0), the linearized model\'s slowest time scale'),
  setting('budgetCap', 'budget-cap', 'training', { type: 'int', min: 1, max: 1e9 }, BUDGET_CAP, 'steps auto: the most steps the rule gives'),
  setting('stallSlope', 'stall-slope', 'training', { type: 'number', min: 0, max: 100, minExclusive: true }, STALL_SLOPE,
    'a run out of steps short of eps counts as stalled when log10 L fell by less than this per decade of steps over its last logged decade, else as still descending'),
  setting('etaW', 'eta-w', 'training', { type: 'rate', allowSame: false }, 'auto',
    'first-layer rate: a number ≥ 0 in the chosen parametrization, or auto (rateFactor/λ̂_max of H_W)'),
  setting('etaA', 'eta-a', 'training', { type: 'rate', allowSame: true }, 'auto',
    'second-layer rate: a number ≥ 0, auto (rateFactor/λ̂_max of H_a), or same (= etaW; with auto, one rate for both blocks)'),
  setting('rateFactor', 'rate-factor', 'training', { type: 'number', min: 0, max: 2, minExclusive: true }, RATE_FACTOR,
    'c in η = c/λ̂_max for auto rates'),
  setting('param', 'param', 'model', { type: 'enum', values: ['standard', 'ntk'] }, 'standard',
    'standard (LeCun): κ = 1, w ~ N(0, σ_w²/d), a ~ N(0, σ_a²/m); ntk: κ = 1/√m, w ~ N(0, σ_w²), a ~ N(0, σ_a²)'),
  setting('sigmaW', 'sigma-w', 'model', { type: 'number', min: 0, max: 1e6, minExclusive: true }, 1, 'initial scale σ_w of the first layer'),
  setting('sigmaA', 'sigma-a', 'model', { type: 'number', min: 0, max: 1e6, minExclusive: true }, 1, 'initial scale σ_a of the second layer'),
  setting('outputInit', 'output-init', 'model', { type: 'enum', values: ['normal', 'sign'] }, 'normal',
    'second-layer initialization: normal, or sign (±scale)'),
  setting('data', 'data', 'problem', { type: 'enum', values: ['gaussian', 'sphere'] }, 'gaussian',
    'rows of X: gaussian N(0, I_d), or sphere (normalized to unit length)'),
  setting('labels', 'labels', 'problem', { type: 'labels' }, { kind: 'sign' },
    'sign (±1), gaussian, teacher:<m*> (a random ReLU net of width m*), adversarial (√n·v_min of the tangent kernel H_0: the labels a kernel method fits slowest), or file:<path.npy> (n values)'),
  setting('seed', 'seed', 'problem', { type: 'int', min: 0, max: 2 ** 32 - 1 }, 1, 'seed of every random draw'),
  setting('eps', 'eps', 'training', { type: 'number', min: 1e-30, max: 1, maxExclusive: true }, 1e-6,
    'success: stop when L/L0 < eps'),
  setting('stopAtEps', 'stop-at-eps', 'training', { type: 'bool' }, true,
    'stop at success (L/L0 < eps); false runs all steps and still records when eps was reached'),
  setting('spectrum', 'spectrum', 'run', { type: 'bool' }, false,
    'log λ_min and λ_max of the tangent kernel H_t = η_W·H_W + η_a·H_a at logged steps (Lanczos on matrix-free products)'),
  setting('sharpnessProducts', 'sharpness-products', 'run', { type: 'int', min: 0, max: 100 }, 8,
    'products per logged step of the stability monitor (sharpness = λ_max of H_t by warm-started Lanczos); 0 turns it off'),
  setting('linearized', 'linearized', 'run', { type: 'bool' }, false,
    `log loss_kernel, the loss the linearized (NTK) model predicts from H_0's eigendecomposition (n ≤ ${MAX_DENSE_N})`),
  setting('divergeAt', 'diverge-at', 'training', { type: 'number', min: 1, max: 1e30, minExclusive: true }, 1e4,
    'divergence: stop when L/L0 exceeds this (or L is not finite)'),
  setting('logEvery', 'log-every', 'run', { type: 'int', min: 0, max: 1e9 }, 0,
    'log every k steps; 0 = log-spaced (logPerDecade per decade)'),
  setting('logPerDecade', 'log-per-decade', 'run', { type: 'int', min: 1, max: 1000 }, 20,
    'logged steps per decade when logEvery = 0'),
  setting('blockNeurons', 'block-neurons', 'run', { type: 'int', min: 0, max: 2 ** 31 - 1 }, 0,
    'neurons per GPU buffer block; 0 = as many as one storage binding holds'),
  // The GPU kernels' autotuner (src/gpu/autotune.ts): off by default until GPU measurements show it pays.
  setting('autotune', 'autotune', 'run', { type: 'enum', values: ['on', 'off', 'refresh'] }, 'off',
    'GPU kernel variants: on = measured once per adapter and shape, then cached; refresh = measured again; off = chosen per adapter (--kernel still forces)'),
];

const BY_KEY = new Map(SETTINGS.map((s) => [s.key, s]));
const BY_FLAG = new Map(SETTINGS.map((s) => [s.flag, s]));

export function settingByKey(key: string): Setting | undefined {
  return BY_KEY.get(key as SettingKey);
}
export function settingByFlag(flag: string): Setting | undefined {
  return BY_FLAG.get(flag);
}

/** A bad setting: the message is one line naming the setting and what is allowed. */
export class ConfigError extends Error {
  constructor(readonly key: string, message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function defaultConfig(): Config {
  const c = Object.fromEntries(SETTINGS.map((s) => [s.key, s.default])) as unknown as Config;
  return { ...c, ...(PRESETS[c.preset].values as Partial<Config>) };
}

function fmt(x: number): string {
  return Math.abs(x) >= 1e6 && Number.isInteger(Math.log2(x + 1)) ? `2^${Math.log2(x + 1)}-1` : String(x);
}

function allowed(s: Setting): string {
  const k = s.kind;
  switch (k.type) {
    case 'int':
      return `an integer from ${fmt(k.min)} to ${fmt(k.max)}${k.allowAuto ? ', or auto' : ''}`;
    case 'number':
      return `a number ${k.minExclusive ? '>' : '≥'} ${k.min} and ${k.maxExclusive ? '<' : '≤'} ${k.max}`;
    case 'enum':
      return `one of ${k.values.join(', ')}`;
    case 'rate':
      return `a finite number ≥ 0${k.allowSame ? ', auto, or same' : ' or auto'}`;
    case 'bool':
      return 'true or false';
    case 'labels':
      return `sign, gaussian, teacher:<m*> (m* from 1 to ${MAX_TEACHER_WIDTH}), adversarial, or file:<path.npy>`;
  }
}

function fail(s: Setting, got: unknown): never {
  const shown = typeof got === 'string' ? JSON.stringify(got) : typeof got === 'object' ? JSON.stringify(got) : String(got);
  throw new ConfigError(s.key, `--${s.flag} (${s.key}) must be ${allowed(s)}; got ${shown}`);
}

/** Checks one value (already of any JS type) against its setting; returns the canonical value. */
export function checkValue(s: Setting, v: unknown): Config[SettingKey] {
  const k = s.kind;
  switch (k.type) {
    case 'int':
      if (k.allowAuto && v === 'auto') return v;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < k.min || v > k.max) fail(s, v);
      return v;
    case 'number': {
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(s, v);
      const lowOk = k.minExclusive ? v > k.min : v >= k.min;
      const highOk = k.maxExclusive ? v < k.max : v <= k.max;
      if (!lowOk || !highOk) fail(s, v);
      return v;
    }
    case 'enum':
      if (typeof v !== 'string' || !k.values.includes(v)) fail(s, v);
      return v as Config[SettingKey];
    case 'rate':
      if (v === 'auto' || (k.allowSame && v === 'same')) return v;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(s, v);
      return v;
    case 'bool':
      if (typeof v !== 'boolean') fail(s, v);
      return v;
    case 'labels': {
      const spec = v as LabelSpec;
      if (typeof v !== 'object' || v === null) fail(s, v);
      if (spec.kind === 'sign' || spec.kind === 'gaussian' || spec.kind === 'adversarial') return { kind: spec.kind };
      if (spec.kind === 'teacher' && Number.isInteger(spec.width) && spec.width >= 1 && spec.width <= MAX_TEACHER_WIDTH)
        return { kind: 'teacher', width: spec.width };
      if (spec.kind === 'file' && typeof spec.path === 'string' && spec.path.length > 0) return { kind: 'file', path: spec.path };
      fail(s, v);
    }
  }
}

/** checkValue, reporting the text the user typed rather than its parsed value. */
function checkText(s: Setting, v: unknown, text: string): Config[SettingKey] {
  try {
    return checkValue(s, v);
  } catch {
    fail(s, text);
  }
}

/** Parses the text form of a setting (CLI flag value or URL hash value). */
export function parseValue(s: Setting, text: string): Config[SettingKey] {
  const t = text.trim();
  const k = s.kind;
  switch (k.type) {
    case 'int':
    case 'number': {
      if (k.type === 'int' && k.allowAuto && t === 'auto') return t;
      // Number('') is 0 and Number('0x10') is 16: accept only decimal notation.
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) fail(s, text);
      return checkText(s, Number(t), text);
    }
    case 'enum':
      return checkValue(s, t);
    case 'rate':
      if (t === 'auto' || t === 'same') return checkValue(s, t);
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) fail(s, text);
      return checkText(s, Number(t), text);
    case 'bool':
      if (t === 'true' || t === '1') return true;
      if (t === 'false' || t === '0') return false;
      fail(s, text);
    case 'labels': {
      const teacher = /^teacher:(\d+)$/.exec(t);
      if (teacher) return checkValue(s, { kind: 'teacher', width: Number(teacher[1]) });
      if (t.startsWith('file:')) return checkValue(s, { kind: 'file', path: t.slice(5) });
      if (t === 'sign' || t === 'gaussian' || t === 'adversarial') return { kind: t };
      fail(s, text);
    }
  }
}

export function formatValue(key: SettingKey, v: Config[SettingKey]): string {
  if (key === 'labels') {
    const l = v as LabelSpec;
    return l.kind === 'teacher' ? `teacher:${l.width}` : l.kind === 'file' ? `file:${l.path}` : l.kind;
  }
  return String(v);
}

/**
 * Builds a config from explicitly given settings (text or typed values): defaults, then the
 * preset's values, then the explicit ones. Throws ConfigError on the first bad setting.
 */
export function buildConfig(given: Partial<Record<SettingKey, unknown>>): Config {
  const explicit: Partial<Record<SettingKey, Config[SettingKey]>> = {};
  for (const [key, raw] of Object.entries(given)) {
    const s = BY_KEY.get(key as SettingKey);
    if (!s) throw new ConfigError(key, `unknown setting ${JSON.stringify(key)}`);
    explicit[s.key] = typeof raw === 'string' ? parseValue(s, raw) : checkValue(s, raw);
  }
  const base = Object.fromEntries(SETTINGS.map((s) => [s.key, s.default])) as unknown as Config;
  const preset = (explicit.preset ?? base.preset) as PresetName;
  const config = { ...base, ...(PRESETS[preset].values as Partial<Config>), ...explicit } as Config;
  validateConfig(config);
  return config;
}

/** Checks a whole config (e.g. one built by hand or read back from JSON). */
export function validateConfig(c: Config): void {
  for (const s of SETTINGS) checkValue(s, c[s.key]);
  if (c.linearized && c.n > MAX_DENSE_N)
    throw new ConfigError('linearized', `--linearized (linearized) needs n ≤ ${MAX_DENSE_N} (H_0 is eigendecomposed densely); got n = ${c.n}`);
}
