// shallow-gd bench: the benchmark harness on this machine's WebGPU adapter.
import { prepareFile, writeFileAtomic } from '../io/files_node';
import { DEFAULT_OPTIONS, defaultSizes, parseSizes, runBench, type BenchOptions, type BenchReport, type BenchSize } from '../bench/bench';
import { benchMarkdown } from '../bench/table';
import { runSweepBench, sweepBenchMarkdown, type SweepBenchReport } from '../bench/sweep';
import { ConfigError } from '../config/schema';
import { acquireNodeDevice } from '../gpu/device_node';
import { NoAdapterError } from '../train/backend_node';
import { parseVariants } from '../gpu/variants';
import { tfjsStepSeconds } from '../bench/peers/tfjs';
import { KERNEL, flagLines, parse } from './args';

const QUICK = { sizes: '64x16x2^8..2^10', targetSeconds: 0.02, maxStepSeconds: 1 };

const BENCH = {
  name: 'bench',
  flags: {
    sizes: { kind: 'value', arg: 'NxDxM,…', help: 'the sizes, each NxDxM or NxDx2^a..2^b [n ∈ {256, 1024, 4096}, d ∈ {16, 128}, m = 2^10 … 2^20]' },
    quick: { kind: 'switch', help: `a tiny grid (${QUICK.sizes}) and short timings, to check the harness in seconds` },
    'max-step-seconds': {
      kind: 'value', arg: 'S',
      help: `skip (and list) the sizes predicted to take over S seconds per step [${DEFAULT_OPTIONS.maxStepSeconds}; ${QUICK.maxStepSeconds} with --quick]`,
    },
    sweep: { kind: 'switch', help: 'measure sweep throughput instead: run-steps/s of the batched engine over batch and problem sizes (--sizes; default 32x8x32,64x8x32,128x16x128), beside the single-run engine and the float64 reference, one run at a time' },
    batches: { kind: 'value', arg: 'B,…', help: 'with --sweep: the batch sizes [1,16,128 on a software adapter; 1,64,1024,4096,16384 on a GPU]' },
    steps: { kind: 'value', arg: 'T', help: 'with --sweep: steps per run [200 on a software adapter; 2000 on a GPU]' },
    kernel: KERNEL,
    'no-tfjs': { kind: 'switch', help: 'leave TensorFlow.js out' },
    'no-variants': { kind: 'switch', help: 'leave out the timing of every autotuner candidate at each size and its choice among them (left out with --quick)' },
    json: { kind: 'value', arg: 'FILE', help: 'write the report as JSON (after each size, so that an interrupted run keeps its figures)' },
    md: { kind: 'value', arg: 'FILE', help: 'write the report as markdown (after each size too)' },
  },
} as const;

export function benchHelp(): string {
  return [
    'usage: shallow-gd bench [--sweep [--batches B,…] [--steps T]] [--sizes NxDxM,...] [--quick] [--max-step-seconds S] [--kernel K=V] [--no-tfjs] [--no-variants] [--json FILE] [--md FILE]',
    '',
    'Times each kernel, the whole step (steps/s, GFLOP/s counting 4ndm), a logged step, the host',
    'cost per step, and the same-run reference product X·Wᵀ on this machine\'s WebGPU adapter,',
    'beside the float64 CPU reference and TensorFlow.js (WebGPU backend, on the same device);',
    'then the step with each of the autotuner\'s candidates, and the one it would choose.',
    '',
    'flags:',
    ...flagLines(BENCH.flags),
  ].join('\n');
}

export interface BenchArgs {
  sizes: BenchSize[];
  options: BenchOptions;
  json?: string;
  md?: string;
  /** --sweep, with its batch sizes and steps where given. */
  sweep: false | { sizes?: BenchSize[]; batches?: number[]; steps?: number };
  help: boolean;
}

/** A comma-separated list of whole numbers ≥ 1, for `flag`. */
function wholeNumbers(flag: string, text: string): number[] {
  const values = text.split(',').map(Number);
  if (!values.every((v) => Number.isInteger(v) && v >= 1 && v <= 65535)) throw new ConfigError(flag, `--${flag} must be whole numbers from 1 to 65535, separated by commas; got ${JSON.stringify(text)}`);
  return values;
}

/** --sizes and --max-step-seconds win over --quick's, whatever the order. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { flags, help } = parse(BENCH, argv);
  let sizes: BenchSize[];
  try {
    sizes = flags.sizes !== undefined ? parseSizes(flags.sizes) : flags.quick ? parseSizes(QUICK.sizes) : defaultSizes();
  } catch (e) {
    throw new ConfigError('sizes', (e as Error).message);
  }
  const options: BenchOptions = { ...DEFAULT_OPTIONS, peers: flags['no-tfjs'] ? {} : { tfjs: tfjsStepSeconds } };
  if (flags.quick) Object.assign(options, { targetSeconds: QUICK.targetSeconds, maxStepSeconds: QUICK.maxStepSeconds });
  // The autotuner's candidates at each size: compiling them takes minutes on a software adapter.
  options.variants = !flags.quick && !flags['no-variants'];
  if (flags['max-step-seconds'] !== undefined) {
    options.maxStepSeconds = Number(flags['max-step-seconds']);
    if (!(options.maxStepSeconds > 0)) throw new ConfigError('max-step-seconds', '--max-step-seconds must be a number > 0');
  }
  if (flags.kernel !== undefined) options.kernel = parseVariants(flags.kernel);
  const sweep = flags.sweep && {
    ...(flags.sizes !== undefined ? { sizes } : {}),
    ...(flags.batches !== undefined ? { batches: wholeNumbers('batches', flags.batches) } : {}),
    ...(flags.steps !== undefined ? { steps: wholeNumbers('steps', flags.steps)[0] } : {}),
  };
  return { sizes, options, json: flags.json, md: flags.md, sweep, help };
}

export async function benchCommand(argv: string[]): Promise<number> {
  const { sizes, options, json, md, sweep, help } = parseBenchArgs(argv);
  if (help) {
    process.stdout.write(benchHelp() + '\n');
    return 0;
  }
  if (json) prepareFile(`--json ${json}`, json);
  if (md) prepareFile(`--md ${md}`, md);
  const acquired = await acquireNodeDevice();
  // The benchmark needs an adapter: exit 3, as train --backend webgpu.
  if (!acquired) throw new NoAdapterError();
  process.stderr.write(`adapter: ${acquired.info.name}\n`);
  if (sweep) {
    const saveSweep = (report: SweepBenchReport) => {
      if (json) writeFileAtomic(json, JSON.stringify(report, null, 2) + '\n');
      if (md) writeFileAtomic(md, sweepBenchMarkdown(report));
    };
    const report = await runSweepBench(acquired.device, acquired.info, { ...sweep, log: (l) => process.stderr.write(l + '\n'), onProgress: saveSweep });
    process.stdout.write(sweepBenchMarkdown(report));
    return 0;
  }
  const save = (report: BenchReport) => {
    if (json) writeFileAtomic(json, JSON.stringify(report, null, 2) + '\n');
    if (md) writeFileAtomic(md, benchMarkdown(report));
  };
  const report = await runBench(acquired.device, acquired.info, sizes, { ...options, log: (l) => process.stderr.write(l + '\n'), onProgress: save });
  save(report);
  process.stdout.write(benchMarkdown(report));
  return report.sizes.length > 0 ? 0 : 1;
}
