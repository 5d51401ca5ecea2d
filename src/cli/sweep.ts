// `shallow-gd sweep` (a grid of training runs, resumable and shardable, one JSON line per run)
// and `shallow-gd merge` (joins the shards' files); both end with the sweep summary.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveConfig } from '../config/resolve';
import { ConfigError, type Config, type SettingKey } from '../config/schema';
import { NoAdapterError, openBackend } from '../train/backend_node';
import { EXIT } from './exit';
import type { Backend } from '../train/backend';
import { expandGrid, parseGridAxis, type GridRun } from '../sweep/grid';
import { readRecordFile, openRecordWriter, type RecordFile } from '../sweep/records';
import { toRecord, type SweepRecord } from '../sweep/record';
import { inShard, resolveShard, shardPath } from '../sweep/shard';
import { poolAvailable, pooledPreparation, runPool } from '../sweep/pool_node';
import { trainMany } from '../train/many';
import { summarizeSweep, summaryText } from '../sweep/summary';
import { BACKEND, JSON_SUMMARY, WORKERS, flagLines, parse, parseWorkers, type BackendChoice } from './args';
import { prepareFile, writeFileAtomic } from '../io/files_node';
import { lockFile } from '../io/lock_node';
import { NO_SIGNALS, onImmediateExit, type Interrupt } from './interrupt';

// Train flags with no use in sweep: refused with the reason, rather than as unknown.
const TRAIN_ONLY = 'is a train flag: sweep writes one JSON line per run to --out FILE';

const SWEEP = {
  name: 'sweep',
  config: true,
  flags: {
    grid: { kind: 'value', arg: 'KEY=VALUES', multiple: true, help: 'an axis of the grid (above); give one --grid per axis' },
    out: { kind: 'value', arg: 'FILE', help: 'the JSON lines file (required); a shard writes FILE with .shard-i-of-N before .jsonl' },
    shard: { kind: 'value', arg: 'i/N', help: 'run only the grid points whose index is i modulo N (0 ≤ i < N)' },
    'shard-count': { kind: 'value', arg: 'N', help: 'N for a Kubernetes Indexed Job, whose JOB_COMPLETION_INDEX gives i' },
    backend: BACKEND,
    workers: WORKERS,
    batch: { kind: 'value', arg: 'auto|off|N', default: 'auto', help: 'on WebGPU, runs trained at once by the batched engine: auto (as many as fit; 64 on a software adapter), off (one at a time), or at most N per batch' },
    json: JSON_SUMMARY,
  },
  refused: { 'save-tensors': TRAIN_ONLY, force: TRAIN_ONLY, kernel: 'is a train flag: sweep runs the kernels chosen per adapter' },
} as const;

const MERGE = {
  name: 'merge',
  positionals: true,
  flags: {
    force: { kind: 'switch', help: 'overwrite OUT if it exists' },
    json: JSON_SUMMARY,
  },
} as const;

export function sweepHelp(): string {
  return [
    'usage: shallow-gd sweep --grid KEY=VALUES [--grid KEY=VALUES …] --out FILE.jsonl [config flags] [flags]',
    '',
    'Trains every point of a grid of configs and appends one JSON line per finished run to FILE.',
    'Rerunning the same command resumes: runs already in FILE are skipped (a cut-off last line is dropped).',
    '',
    'grid (the cartesian product of every --grid, in the order given; the last varies fastest):',
    '  --grid KEY=v1,v2,…   a list of values',
    '  --grid KEY=a..b      a, a+1, …, b',
    '  --grid KEY=a..b:xK   a, a·K, a·K², … up to b (K > 1)',
    '  --grid KEY=a..b:+K   a, a+K, a+2K, … up to b (K > 0)',
    '  KEY is a config key or flag (m, seed, etaW or eta-w, labels, preset, …); range values of',
    '  integer settings are rounded; every value is checked before any run starts.',
    '',
    'config flags: those of shallow-gd train --help; each fixes a setting for every run',
    '(a setting is either fixed or in the grid).',
    '',
    'flags:',
    ...flagLines(SWEEP.flags),
    '',
    'Without --shard, i and N come from a Slurm job array (i = (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN) /',
    'SLURM_ARRAY_TASK_STEP, N = SLURM_ARRAY_TASK_COUNT) or from JOB_COMPLETION_INDEX with --shard-count.',
    'Join the shards\' files with shallow-gd merge.',
    '',
    'Each line: {id, settings, config, outcome, converged, steps_done, steps_to_eps, loss0, final, peak_sharpness, max_conserved_drift, budget, loss_slope, wall_seconds,',
    'backend}. id names the config by every setting, whatever the order of the flags; settings is the config',
    'as asked for (rates may be auto), config the resolved one (numeric rates), final the last metrics row;',
    'converged: L/L0 < eps was reached (and the run did not diverge after).',
    '',
    'At the end it prints the summary of this shard\'s runs (see shallow-gd merge --help).',
    '',
    'exit codes: 0 finished (whatever the runs\' outcomes), 2 invalid input, 3 no WebGPU adapter for --backend webgpu',
  ].join('\n');
}

export function mergeHelp(): string {
  return [
    'usage: shallow-gd merge OUT.jsonl IN.jsonl [IN.jsonl …] [--force] [--json]',
    '',
    'Joins sweep files (e.g. the shards of one sweep) into OUT, one line per run id: the first seen is',
    'kept and later duplicates are counted. A cut-off last line of an input is ignored.',
    '',
    'Then prints the summary: per m·d/n (and per value of every other setting that varies, seed',
    'excepted) the success probability over seeds (converged fraction, with its 95% Wilson interval) and the median steps to eps',
    'of the converged runs, with the thresholds of MODEL.md each row meets: P m(d+1) ≥ n (parameter',
    'count), O m·d ≥ n² (Oymak–Soltanolkotabi), N m ≥ n² (Nguyen); then a phase diagram of success',
    'over m × n, or over m × etaW/etaA when the rate ratio varies at a fixed m (one column where both',
    'rates are auto; log-spaced bins, 3 per decade, where one is; the given ratio where both are).',
    '',
    'flags:',
    ...flagLines(MERGE.flags),
  ].join('\n');
}

interface SweepArgs {
  given: Partial<Record<SettingKey, string>>;
  grid: string[];
  out?: string;
  shard?: string;
  shardCount?: string;
  backend: BackendChoice;
  /** Threads for the CPU reference (--backend cpu, or auto without a hardware adapter). */
  workers: number;
  /** Most runs per batch on WebGPU: 'auto' (as many as fit) or a number; 0: one run at a time. */
  batch: number | 'auto';
  json: boolean;
  help: boolean;
}

/** `--batch auto|off|N`. */
function parseBatch(text: string): number | 'auto' {
  if (text === 'auto') return 'auto';
  if (text === 'off') return 0;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new ConfigError('batch', `--batch must be auto, off, or a whole number of runs from 1 to 65535; got ${JSON.stringify(text)}`);
  return n;
}

export function parseSweepArgs(argv: readonly string[]): SweepArgs {
  const { flags, given, help } = parse(SWEEP, argv);
  return { given, grid: flags.grid, out: flags.out, shard: flags.shard, shardCount: flags['shard-count'], backend: flags.backend, workers: parseWorkers(flags.workers), batch: parseBatch(flags.batch), json: flags.json, help };
}

interface SweepPlan {
  out: string;
  /** This shard's runs, in grid order. */
  mine: GridRun[];
  pending: GridRun[];
  existing: RecordFile;
  lines: string[];
}

/** The output file, checked and locked before anything else: two sweeps never share it. */
function takeOut(args: SweepArgs, env: NodeJS.ProcessEnv): { out: string; release: () => void } {
  if (!args.out) throw new ConfigError('out', '--out FILE.jsonl is required: the sweep appends one JSON line per run to it');
  const out = shardPath(args.out, resolveShard(args, env));
  prepareFile(`--out ${out}`, out);
  const release = lockFile(out, `--out ${out}`);
  onImmediateExit(release);
  return { out, release };
}

/** Everything that can be wrong with the input, found before anything runs or is written. */
function planSweep(args: SweepArgs, out: string, env: NodeJS.ProcessEnv, log: (line: string) => void): SweepPlan {
  const axes = args.grid.map(parseGridAxis);
  const total = axes.reduce((p, a) => p * a.values.length, 1);
  if (total > PLANNING_NOTICE) log(`sweep: planning ${total} grid points`);
  const runs = expandGrid(args.given, axes);
  // Reading a labels file belongs to train's CLI (src/cli/main.ts), which sweep cannot import.
  if (runs.some((r) => r.settings.labels.kind === 'file'))
    throw new ConfigError('labels', '--labels (labels) file:<path> is not supported by sweep; use sign, gaussian or teacher:<m*>');
  const shard = resolveShard(args, env);
  const existing: RecordFile = existsSync(out) ? readRecordFile(out, `--out ${out}`) : { records: [], completeBytes: 0, truncated: false };
  const done = new Set(existing.records.map((r) => r.id));
  const mine = runs.filter((_, k) => inShard(k, shard));
  const pending = mine.filter((r) => !done.has(r.id));
  const others = existing.records.length - (mine.length - pending.length);
  const lines = [
    `sweep: ${runs.length} runs in the grid` +
      (shard.count > 1 ? `; shard ${shard.index}/${shard.count} takes ${mine.length}` : '') +
      `; ${mine.length - pending.length} already in ${out}, ${pending.length} to run`,
  ];
  if (others > 0) lines.push(`sweep: ${out} also holds ${others} runs outside this grid or shard; they stay`);
  if (existing.truncated) lines.push(`sweep: ignoring the cut-off last line of ${out} (an interrupted write); that run runs again`);
  return { out, mine, pending, existing, lines };
}

/** Grids above this many points say that they are being planned. */
const PLANNING_NOTICE = 10_000;

/** Every pending point against the backend (sizes, device limits, memory) before the first run; a refusal names the point. */
function checkPoints(backend: Backend, pending: readonly GridRun[], log: (line: string) => void): void {
  const every = Math.max(PLANNING_NOTICE, Math.ceil(pending.length / 10));
  // The seed draws the data, never the sizes: points that differ only in seed are checked once.
  const checked = new Set<Config>();
  pending.forEach((run, k) => {
    if (k > 0 && k % every === 0) log(`sweep: checked ${k}/${pending.length} points`);
    if (checked.has(run.seedless)) return;
    checked.add(run.seedless);
    try {
      backend.check(resolveConfig(run.settings));
    } catch (e) {
      if (e instanceof ConfigError) throw new ConfigError(e.key, `grid point ${run.point}: ${e.message}`);
      throw e;
    }
  });
}

function outcomeLine(r: SweepRecord): string {
  const how = r.converged ? `converged (L/L0 < eps at step ${r.steps_to_eps})`
    : r.outcome === 'diverged' ? `diverged at step ${r.steps_done}`
    : `not converged after ${r.steps_done} steps (L/L0 = ${r.final.loss_ratio.toPrecision(3)}, ${r.budget === 'still_descending' ? 'still descending' : r.budget})`;
  return `${how}, ${r.wall_seconds.toFixed(2)} s`;
}

function printSummary(records: readonly SweepRecord[], json: boolean): void {
  const s = summarizeSweep(records);
  process.stdout.write((json ? JSON.stringify(s, null, 2) : summaryText(s)) + '\n');
}

export async function sweepCommand(argv: string[], interrupt: Interrupt = NO_SIGNALS): Promise<number> {
  const args = parseSweepArgs(argv);
  if (args.help) {
    process.stdout.write(sweepHelp() + '\n');
    return 0;
  }
  const log = (line: string) => process.stderr.write(line + '\n');
  const { out, release } = takeOut(args, process.env);
  try {
    const plan = planSweep(args, out, process.env, log);
    plan.lines.forEach(log);
    const finished = new Map(plan.existing.records.map((r) => [r.id, r]));
    if (plan.pending.length > 0) {
      let backend: Backend;
      try {
        // A software adapter compiles each run's kernels anew and shares the cores with the
        // driver: on this kind of machine 40 small runs took 37 s on SwiftShader against 1.6 s
        // on the CPU reference, which trains on every core besides.
        backend = await openBackend(args.backend, log, { software: false });
      } catch (e) {
        if (!(e instanceof NoAdapterError)) throw e;
        process.stderr.write(`shallow-gd: ${e.message}\n`);
        return EXIT.noAdapter;
      }
      checkPoints(backend, plan.pending, log);
      const writer = openRecordWriter(plan.out, plan.existing.completeBytes);
      // Between runs nothing is lost; within one, the signal drops it (it runs again on resuming).
      interrupt.saveOnSignal('dropping the runs in progress, which run again when the sweep resumes');
      try {
        let done = 0;
        const keep = (record: SweepRecord, point: string) => {
          writer.append(record);
          finished.set(record.id, record);
          log(`[${++done}/${plan.pending.length}] ${point}: ${outcomeLine(record)}`);
        };
        if (backend.info.kind === 'cpu' && args.workers > 1 && poolAvailable()) {
          log(`backend: ${backend.info.name}, ${Math.min(args.workers, plan.pending.length)} worker threads`);
          const points = new Map(plan.pending.map((r) => [r.id, r.point]));
          await runPool(plan.pending, args.workers, ({ record }) => keep(record, points.get(record.id)!), interrupt.signal);
        } else {
          await trainMany(backend, plan.pending.map((run) => ({ key: run, c: resolveConfig(run.settings) })), {
            batch: args.batch,
            // The batches' initializations on the worker threads (--workers), while the GPU trains.
            prepare: pooledPreparation(args.workers),
            signal: interrupt.signal,
            onPhase: log,
            onFinished: (run, config, result, info) => keep(toRecord(run.id, run.settings, config, result, info), run.point),
          });
        }
      } finally {
        writer.close();
      }
    }
    const code = interrupt.exitCode();
    if (code !== undefined) {
      const left = plan.mine.filter((r) => !finished.has(r.id)).length;
      log(`shallow-gd: interrupted: ${plan.mine.length - left} of ${plan.mine.length} runs are in ${out}; the same command runs the other ${left}`);
      return code;
    }
    printSummary(plan.mine.map((r) => finished.get(r.id)!), args.json);
    return 0;
  } finally {
    release();
  }
}

export function parseMergeArgs(argv: readonly string[]): { files: string[]; force: boolean; json: boolean; help: boolean } {
  const { flags, positionals, help } = parse(MERGE, argv);
  return { files: positionals, ...flags, help };
}

export async function mergeCommand(argv: string[]): Promise<number> {
  const { files, force, json, help } = parseMergeArgs(argv);
  if (help) {
    process.stdout.write(mergeHelp() + '\n');
    return 0;
  }
  const [out, ...inputs] = files;
  if (inputs.length === 0) throw new ConfigError('merge', 'merge needs OUT.jsonl and at least one input: shallow-gd merge OUT.jsonl IN.jsonl …');
  if (inputs.some((f) => resolve(f) === resolve(out))) throw new ConfigError('merge', `merge: ${out} is both the output and an input: write to a new file`);
  if (existsSync(out) && !statSync(out).isDirectory() && !force) throw new ConfigError('force', `merge: ${out} exists: choose a new file or add --force`);
  prepareFile(`merge OUT ${out}`, out);
  const kept = new Map<string, SweepRecord>();
  let duplicates = 0;
  for (const input of inputs) {
    const file = readRecordFile(input, `merge input ${input}`);
    if (file.truncated) process.stderr.write(`merge: ignoring the cut-off last line of ${input}\n`);
    for (const r of file.records) {
      if (kept.has(r.id)) duplicates++;
      else kept.set(r.id, r);
    }
  }
  const records = [...kept.values()];
  writeFileAtomic(out, records.map((r) => JSON.stringify(r) + '\n').join(''));
  process.stderr.write(
    `merge: ${records.length} runs from ${inputs.length} files into ${out}` +
      (duplicates ? `; ${duplicates} duplicate ids dropped (the first kept)` : '') + '\n',
  );
  printSummary(records, json);
  return 0;
}
