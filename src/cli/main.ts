// shallow-gd: the Node command line. `shallow-gd train [flags]`, see trainHelp().
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig, type Resolved } from '../config/resolve';
import { ConfigError, buildConfig } from '../config/schema';
import { decodeNpy, encodeNpy } from '../io/npy';
import { CSV_HEADER, csvLine } from '../model/metrics';
import { WriteError, openAppender, prepareFolder, writeFileAtomic, type Appender } from '../io/files_node';
import { handleSignals, type Interrupt } from './interrupt';
import { softwareNote } from '../model/engine';
import { formatVariants } from '../gpu/autotune';
import type { GpuEngine } from '../gpu/engine';
import type { OnSetup, Progress, RunResult, SetupEvent, Trainer } from '../train/trainer';
import { parseTrainArgs, trainHelp, type TrainArgs } from './train_args';
import { NoAdapterError, openBackend } from '../train/backend_node';
import { EXIT } from './exit';
import { benchCommand } from './bench';
import { experimentsCommand } from './experiments';
import { mergeCommand, sweepCommand } from './sweep';
import { stabilityWarning, summarize, summaryTable } from '../train/summary';

class Exit extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

function invalid(message: string): Exit {
  return new Exit(EXIT.invalid, message);
}

const FLOAT32_MAX = 3.4028234663852886e38;

function loadLabels(c: Resolved): Float64Array | undefined {
  if (c.labels.kind !== 'file') return undefined;
  const where = `--labels (labels) file:${c.labels.path}`;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(c.labels.path);
  } catch (e) {
    throw invalid(`${where}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let decoded: ReturnType<typeof decodeNpy>;
  try {
    decoded = decodeNpy(bytes);
  } catch (e) {
    throw invalid(`${where}: ${(e as Error).message}`);
  }
  if (decoded.data.length !== c.n || decoded.shape.filter((x) => x !== 1).length > 1)
    throw invalid(`${where}: must hold n = ${c.n} values (shape (${c.n},)); it has shape (${decoded.shape.join(', ')})`);
  if (!decoded.data.every(Number.isFinite)) throw invalid(`${where}: every label must be finite`);
  // The loss ½‖f − y‖² starts near ½‖y‖², which the GPU holds in float32.
  const halfSquared = 0.5 * decoded.data.reduce((sum, y) => sum + y * y, 0);
  if (!(halfSquared <= FLOAT32_MAX))
    throw invalid(`${where}: ½‖y‖² = ${halfSquared.toExponential(2)} overflows float32 (at most ${FLOAT32_MAX.toExponential(2)}): scale the labels down`);
  return decoded.data;
}

/** The files train writes into --out, by name. */
const TENSORS = ['X', 'y', 'W0', 'a0', 'W', 'a'] as const;
const OUTPUTS = ['config.json', 'metrics.csv', 'summary.json', ...TENSORS.map((t) => `${t}.npy`)];

/** Finds or creates --out and checks that it takes files; with --force, removes what an earlier run wrote there. */
function prepareOut(args: TrainArgs): void {
  if (!args.out) {
    if (args.saveTensors) throw invalid('--save-tensors needs --out DIR');
    return;
  }
  prepareFolder(`--out ${args.out}`, args.out);
  if (!args.force) {
    if (readdirSync(args.out).length > 0) throw invalid(`--out ${args.out} is not empty: choose an empty folder or add --force`);
    return;
  }
  // Only shallow-gd's own files: an earlier run's tensors must not sit beside this run's config.
  for (const name of OUTPUTS) rmSync(join(args.out, name), { force: true });
}

/**
 * Setup's phases on stderr, each of which can take seconds to minutes at large sizes: on a
 * terminal a live line per phase with its count of products, else a line as each begins.
 */
function setupReporter(tty: boolean): { onSetup: OnSetup; finish(seconds: number): void } {
  let phases = 0;
  let drawn = 0;
  /** The latest count not yet drawn: a phase's line ends with its final count. */
  let latest: SetupEvent | null = null;
  const draw = (e: SetupEvent) => {
    process.stderr.write(`\r\x1b[Ksetup: ${e.phase}: ${e.progress!.done} ${e.progress!.unit} (at most ${e.progress!.total})`);
    drawn = performance.now();
    latest = null;
  };
  const endLine = () => {
    if (latest) draw(latest);
    if (tty && phases > 0) process.stderr.write('\n');
  };
  return {
    onSetup(e) {
      if (!e.progress) {
        endLine();
        process.stderr.write(`setup: ${e.phase}${tty ? '' : '\n'}`);
        phases++;
      } else if (tty) {
        latest = e;
        // A redraw at most every 0.1 s: a product can take microseconds.
        if (performance.now() - drawn >= 100) draw(e);
      }
    },
    finish(seconds) {
      if (phases === 0) return;
      endLine();
      process.stderr.write(`setup: done in ${seconds.toFixed(1)} s\n`);
    },
  };
}

async function makeTrainer(c: Resolved, args: TrainArgs, labels?: Float64Array): Promise<Trainer> {
  // A software adapter only when --kernel asks for WebGPU's kernels: the reference is faster (openBackend).
  const software = Object.keys(args.kernel).length > 0;
  const backend = await openBackend(args.backend, (line) => process.stderr.write(line + '\n'), { software });
  backend.check(c, args.kernel);
  const report = setupReporter(process.stderr.isTTY === true);
  const trainer = await backend.create(c, labels, args.kernel, report.onSetup);
  report.finish(trainer.setupSeconds);
  return trainer;
}

function progressLine(p: Progress, steps: number): string {
  const eta = Number.isFinite(p.etaSeconds) ? `${Math.ceil(p.etaSeconds)}s` : '?';
  return `step ${p.step}/${steps}  L=${p.loss.toPrecision(4)}  L/L0=${p.lossRatio.toExponential(2)}  ${p.stepsPerSecond.toPrecision(3)} steps/s  ETA ${eta}`;
}

const json = (x: unknown) => JSON.stringify(x, null, 2) + '\n';

async function train(argv: string[], interrupt: Interrupt): Promise<number> {
  const args = parseTrainArgs(argv);
  if (args.help) {
    process.stdout.write(trainHelp() + '\n');
    return EXIT.ok;
  }
  const c = resolveConfig(buildConfig(args.given));
  const labels = loadLabels(c);
  prepareOut(args);
  const trainer = await makeTrainer(c, args, labels);
  const b = trainer.backend;
  process.stderr.write(`backend: ${b.name}${softwareNote(b)}\n`);
  // The GPU engine's kernels, and the autotuner's figures where it chose them.
  const gpu = 'variants' in trainer.engine ? (trainer.engine as GpuEngine) : null;
  const tuning = gpu?.tuning;
  if (tuning) {
    const ms = (x: number) => `${(1e3 * x).toPrecision(3)} ms`;
    const clock = tuning.choice.timing === 'timestamp' ? 'GPU timestamps' : 'host clock around a submit';
    process.stderr.write(`autotune: ${formatVariants(tuning.choice.variants)} (${tuning.from === 'cache' ? 'cached' : `measured over ${tuning.choice.candidates} candidates`}: ${ms(tuning.choice.secondsPerStep)} per step against ${ms(tuning.choice.defaultSecondsPerStep)} for the default, ${clock}${b.software ? '; a software adapter: not GPU figures' : ''})\n`);
  }
  // The trainer's config holds what was fixed at initialization (measured rates), and the kernels it ran.
  const used = gpu ? { ...trainer.config, kernels: formatVariants(gpu.variants) } : trainer.config;
  const out = args.out;
  let metrics: Appender | undefined;
  if (out) {
    writeFileAtomic(join(out, 'config.json'), json(used));
    metrics = openAppender(join(out, 'metrics.csv'));
    metrics.append(CSV_HEADER);
  }
  const tty = process.stderr.isTTY;
  interrupt.saveOnSignal('stopping the run at its next step boundary and saving what it has');
  let warned = false;
  const ran = await trainer.run({
    signal: interrupt.signal,
    onRow: (row) => {
      metrics?.append(csvLine(row));
      const warning = warned ? null : stabilityWarning(row);
      if (warning) process.stderr.write(`${tty ? '\r\x1b[K' : ''}shallow-gd: ${warning}\n`);
      warned ||= warning !== null;
    },
    onProgress: tty ? (p) => process.stderr.write(`\r\x1b[K${progressLine(p, c.steps)}`) : undefined,
  });
  if (tty) process.stderr.write('\r\x1b[K');
  const result: RunResult = ran.outcome === 'stopped' && interrupt.signal.aborted ? { ...ran, outcome: 'interrupted' } : ran;
  const summary = summarize(used, result, trainer);
  process.stdout.write((args.json ? json(summary) : summaryTable(used, summary)) + '\n');
  if (out) {
    metrics!.close();
    if (args.saveTensors) {
      const t = await trainer.readTensors();
      const shapes: Record<keyof typeof t, number[]> = { X: [c.n, c.d], y: [c.n], W0: [c.m, c.d], a0: [c.m], W: [c.m, c.d], a: [c.m] };
      for (const name of TENSORS) writeFileAtomic(join(out, `${name}.npy`), encodeNpy(t[name], shapes[name]));
    }
    // Last: a folder with summary.json is a complete one.
    writeFileAtomic(join(out, 'summary.json'), json(summary));
  }
  trainer.dispose();
  if (result.outcome === 'interrupted') {
    process.stderr.write(`shallow-gd: interrupted at step ${result.stepsDone}${out ? `; ${out} holds the run so far` : ''}\n`);
    return interrupt.exitCode()!;
  }
  return result.outcome === 'diverged' ? EXIT.diverged : EXIT.ok;
}

const COMMANDS: Record<string, (argv: string[], interrupt: Interrupt) => Promise<number>> = {
  train, sweep: sweepCommand, merge: mergeCommand, bench: benchCommand, experiments: experimentsCommand,
};
const USAGE = `shallow-gd ${Object.keys(COMMANDS).join('|')} [flags]   (shallow-gd <command> --help lists them)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`usage: ${USAGE}\n`);
    return EXIT.ok;
  }
  if (!command) throw invalid(`a command is needed: ${USAGE}`);
  if (!Object.hasOwn(COMMANDS, command))
    throw invalid(`unknown command ${JSON.stringify(command)}: the commands are ${Object.keys(COMMANDS).join(', ')}`);
  return COMMANDS[command](rest, handleSignals());
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => {
    if (e instanceof Exit) {
      process.stderr.write(`shallow-gd: ${e.message}\n`);
      process.exitCode = e.code;
    } else if (e instanceof NoAdapterError) {
      process.stderr.write(`shallow-gd: ${e.message}\n`);
      process.exitCode = EXIT.noAdapter;
    } else if (e instanceof ConfigError) {
      process.stderr.write(`shallow-gd: ${e.message}\n`);
      process.exitCode = EXIT.invalid;
    } else if (e instanceof WriteError) {
      // The files written before it stay, whole (they are written atomically or by whole lines).
      process.stderr.write(`shallow-gd: ${e.message}; what was written before it is kept\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`shallow-gd: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 1;
    }
  },
);
