// `shallow-gd train`'s flags: the config settings (from the schema) and the run's own.
import type { SettingKey } from '../config/schema';
import { parseVariants, type Variants } from '../gpu/variants';
import { BACKEND, JSON_SUMMARY, KERNEL, configLines, flagLines, parse, presetLines, type BackendChoice } from './args';

export interface TrainArgs {
  given: Partial<Record<SettingKey, string>>;
  backend: BackendChoice;
  out?: string;
  /** Forced kernel variants (--kernel backward=tiled). */
  kernel: Partial<Variants>;
  saveTensors: boolean;
  force: boolean;
  json: boolean;
  help: boolean;
}

export const TRAIN = {
  name: 'train',
  config: true,
  flags: {
    backend: BACKEND,
    kernel: KERNEL,
    out: { kind: 'value', arg: 'DIR', help: 'write config.json, metrics.csv, summary.json (DIR must be empty unless --force)' },
    'save-tensors': { kind: 'switch', help: 'with --out, also X.npy y.npy W0.npy a0.npy W.npy a.npy (float32, W as m×d)' },
    force: { kind: 'switch', help: 'write into a non-empty --out folder' },
    json: JSON_SUMMARY,
  },
} as const;

export function parseTrainArgs(argv: readonly string[]): TrainArgs {
  const { flags, given, help } = parse(TRAIN, argv);
  return {
    given,
    backend: flags.backend,
    out: flags.out,
    kernel: flags.kernel === undefined ? {} : parseVariants(flags.kernel),
    saveTensors: flags['save-tensors'],
    force: flags.force,
    json: flags.json,
    help,
  };
}

export function trainHelp(): string {
  return [
    'usage: shallow-gd train [flags]',
    '',
    'Full-batch gradient descent on f(x) = κ Σ a_r relu(⟨w_r, x⟩), both layers, separate rates.',
    'Every flag is --name value or --name=value; a true/false flag given bare means true.',
    '',
    'config flags (defaults in brackets; the preset\'s settings replace them, explicit flags replace both):',
    ...configLines(),
    '',
    'presets (--preset NAME) and the settings each sets:',
    ...presetLines(),
    '',
    'run flags:',
    ...flagLines(TRAIN.flags),
    '',
    'exit codes: 0 finished (converged or not), 2 invalid input, 3 no WebGPU adapter for --backend webgpu, 4 diverged',
  ].join('\n');
}
