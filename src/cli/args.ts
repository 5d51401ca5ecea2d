// Command-line parsing for `shallow-gd train`: config flags come from the schema table,
// the rest are the run's own options.
import { ConfigError, SETTINGS, settingByFlag, type SettingKey } from '../config/schema';
import { VARIANTS, parseVariants, type Variants } from '../gpu/variants';

export interface TrainArgs {
  given: Partial<Record<SettingKey, string>>;
  backend: 'auto' | 'webgpu' | 'cpu';
  out?: string;
  /** Forced kernel variants (--kernel backward=tiled). */
  kernel: Partial<Variants>;
  saveTensors: boolean;
  force: boolean;
  json: boolean;
  help: boolean;
}

const SWITCHES = { 'save-tensors': 'saveTensors', force: 'force', json: 'json', help: 'help' } as const;

export function parseTrainArgs(argv: readonly string[]): TrainArgs {
  const args: TrainArgs = { given: {}, backend: 'auto', kernel: {}, saveTensors: false, force: false, json: false, help: false };
  for (let k = 0; k < argv.length; k++) {
    const token = argv[k];
    if (token === '-h') { args.help = true; continue; }
    if (!token.startsWith('--')) throw new ConfigError('', `unexpected argument ${JSON.stringify(token)}: flags are --name value`);
    const eq = token.indexOf('=');
    const name = token.slice(2, eq < 0 ? undefined : eq);
    if (name in SWITCHES) {
      if (eq >= 0) throw new ConfigError(name, `--${name} takes no value`);
      args[SWITCHES[name as keyof typeof SWITCHES]] = true;
      continue;
    }
    let value: string;
    if (eq >= 0) value = token.slice(eq + 1);
    else {
      if (k + 1 >= argv.length) throw new ConfigError(name, `--${name} needs a value`);
      value = argv[++k];
    }
    if (name === 'backend') {
      if (value !== 'auto' && value !== 'webgpu' && value !== 'cpu')
        throw new ConfigError('backend', `--backend must be one of auto, webgpu, cpu; got ${JSON.stringify(value)}`);
      args.backend = value;
    } else if (name === 'kernel') {
      args.kernel = parseVariants(value);
    } else if (name === 'out') {
      if (!value) throw new ConfigError('out', '--out needs a folder path');
      args.out = value;
    } else {
      const s = settingByFlag(name);
      if (!s) throw new ConfigError(name, `unknown flag --${name} (see shallow-gd train --help)`);
      args.given[s.key] = value;
    }
  }
  return args;
}

export function trainHelp(): string {
  const lines = [
    'usage: shallow-gd train [flags]',
    '',
    'Full-batch gradient descent on f(x) = κ Σ a_r relu(⟨w_r, x⟩), both layers, separate rates.',
    '',
    'config flags (defaults in brackets):',
  ];
  for (const s of SETTINGS) {
    const def = typeof s.default === 'object' ? 'sign' : String(s.default);
    lines.push(`  --${s.flag.padEnd(15)} ${s.help} [${def}]`);
  }
  lines.push(
    '',
    'run flags:',
    '  --backend        auto (WebGPU if an adapter exists, else the CPU reference), webgpu, or cpu [auto]',
    `  --kernel K=V     force a kernel variant (${Object.entries(VARIANTS).map(([k, v]) => `${k}=${v.join('|')}`).join(', ')}); default: chosen per adapter`,
    '  --out DIR        write config.json, metrics.csv, summary.json (DIR must be empty unless --force)',
    '  --save-tensors   with --out, also X.npy y.npy W0.npy a0.npy W.npy a.npy (float32, W as m×d)',
    '  --force          write into a non-empty --out folder',
    '  --json           print the summary as JSON instead of a table',
    '',
    'exit codes: 0 finished (converged or not), 2 invalid input, 3 no WebGPU adapter for --backend webgpu, 4 diverged',
  );
  return lines.join('\n');
}
