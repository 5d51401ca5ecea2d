// `shallow-gd experiments`: runs the beyond-NTK suite (src/report/suite.ts) and writes the
// report (one self-contained HTML file), its data as CSV per chart, and the critical-width
// table and fit.
import { existsSync } from 'node:fs';
import { prepareFolder, writeFileAtomic } from '../io/files_node';
import { join } from 'node:path';
import { ConfigError } from '../config/schema';
import { NoAdapterError, openBackend } from '../train/backend_node';
import { EXIT } from './exit';
import type { Backend } from '../train/backend';
import { duration, num } from '../train/format';
import { CRITICAL_CSV, CRITICAL_FIT, REPORT_NAME, buildReport, csvName, exponentText, tableToCsv, type Findings } from '../report/data';
import type { Crossing } from '../sweep/critical';
import { reportHtml } from '../report/html';
import { runSuite } from '../report/run';
import { RUNS_FILE, openSuiteRuns } from '../report/runs_node';
import { NO_SIGNALS, onImmediateExit, type Interrupt } from './interrupt';
import { EXPERIMENT_IDS, SUITE_PARAMS, buildSuite, distinctRuns, type SuiteSize } from '../report/suite';
import { BACKEND, WORKERS, flagLines, parse, parseWorkers, type BackendChoice } from './args';

const { tiny, full } = SUITE_PARAMS;
const D = SUITE_PARAMS.default;

const EXPERIMENTS = {
  name: 'experiments',
  flags: {
    tiny: { kind: 'switch', help: `the tiny suite: n ≤ ${Math.max(...tiny.critical.ns)}, seconds (a smoke test)` },
    full: {
      kind: 'switch',
      help: `the full suite: the critical width for n = ${full.critical.ns.join(',')}, the other charts at n = ${full.labels.n}: for a GPU`,
    },
    backend: {
      ...BACKEND,
      help: 'auto (a hardware WebGPU adapter if there is one, else the float64 CPU reference: faster than a software adapter such as SwiftShader at these sizes), webgpu, or cpu',
    },
    workers: WORKERS,
    out: { kind: 'value', arg: 'DIR', default: 'reports', help: 'where to write the report' },
    force: { kind: 'switch', help: 'overwrite an existing report in DIR' },
  },
} as const;

export function experimentsHelp(): string {
  return [
    'usage: shallow-gd experiments [--tiny | --full] [--backend auto|webgpu|cpu] [--workers N] [--out DIR] [--force]',
    '',
    `Runs the beyond-NTK suite and writes DIR/${REPORT_NAME}.html (uPlot charts, data inline, opens offline),`,
    `DIR/${CRITICAL_CSV} (n,d,seeds,critical_md_over_n,ci_low,ci_high, …), DIR/${CRITICAL_FIT} (exponent, ci_low, ci_high)`,
    `and the data of every chart as CSV (${EXPERIMENT_IDS.map(csvName).join(', ')}):`,
    '  a the critical width against n: the m·d/n where ½ (and 0.9) of the seeds converge, with 95% intervals, and the',
    '    exponent p of critical m ∝ n^p, against m(d+1) = n, m·d = n², m = n² and Du et al.\'s n⁶/λ₀⁴',
    '  b success against m·d/n (Wilson intervals) for sign, gaussian, adversarial and teacher labels',
    '  c the rate ratio: first layer only, second only, both at η_W/η_a = auto × 1/100 … 100 (one rate lowered)',
    '  d step-size control: success and peak sharpness for rate factors c = 0.5 … 0.05',
    '  e the lazy scale: movement and flips over √(n/m), and ‖H_T − H₀‖_F/‖H₀‖_F, against m',
    '  f the gap between the real loss and the kernel prediction, per width',
    '  g success against d at fixed m·d/n',
    '',
    `default suite: d=${D.d}, critical width for n = ${D.critical.ns.join(',')} (${D.critical.seeds} seeds per width), other charts at n = ${D.labels.n},`,
    `rate factor c = ${D.rateFactor}, budgets ${D.stepsPerSample}·n steps: about 15 min on the CPU pool of a 2-core machine`,
    '',
    `Each run is saved in DIR/${RUNS_FILE} as it finishes: after Ctrl-C (or a crash) the same command`,
    `resumes, training only the runs not in it (delete it to train every run again).`,
    '',
    'flags:',
    ...flagLines(EXPERIMENTS.flags),
    '',
    'At the end it prints the critical width per n and the fitted exponent.',
    '',
    'exit codes: 0 written, 2 invalid input (or a report exists without --force), 3 no WebGPU adapter for --backend webgpu',
  ].join('\n');
}

interface ExperimentsArgs {
  size: SuiteSize;
  backend: BackendChoice;
  workers: number;
  out: string;
  force: boolean;
  help: boolean;
}

export function parseExperimentsArgs(argv: readonly string[]): ExperimentsArgs {
  const { flags, help } = parse(EXPERIMENTS, argv);
  if (flags.tiny && flags.full) throw new ConfigError('size', '--tiny and --full exclude each other');
  return {
    size: flags.tiny ? 'tiny' : flags.full ? 'full' : 'default', backend: flags.backend, workers: parseWorkers(flags.workers), out: flags.out, force: flags.force, help,
  };
}

/** The files the report writes, by name. */
const outputs = () => [`${REPORT_NAME}.html`, CRITICAL_CSV, CRITICAL_FIT, ...EXPERIMENT_IDS.map(csvName)];

function checkOut(args: ExperimentsArgs): void {
  prepareFolder(`--out ${args.out}`, args.out);
  const existing = outputs().filter((f) => existsSync(join(args.out, f)));
  if (existing.length > 0 && !args.force)
    throw new ConfigError('force', `--out ${args.out} already holds a report (${existing[0]}): choose another folder or add --force`);
}

/** The plain-text summary on stdout. */
function findingsText(f: Findings): string[] {
  const at = (c: Crossing | null) => (c ? `${num(c.x)} [${num(c.ci[0])}, ${num(c.ci[1])}]` : 'not within the widths');
  return [
    exponentText(f.exponent, f.critical),
    ...f.critical.map((c) => `n=${c.n} d=${c.d}: m·d/n at ½ ${at(c.half)}, at 0.9 ${at(c.ninety)} (${c.seeds} seeds per width, ${c.runs} runs, ${c.descending} of ${c.failed} unconverged still descending at ${c.budget} steps)`),
  ];
}

export async function experimentsCommand(argv: string[], interrupt: Interrupt = NO_SIGNALS): Promise<number> {
  const args = parseExperimentsArgs(argv);
  if (args.help) {
    process.stdout.write(experimentsHelp() + '\n');
    return 0;
  }
  checkOut(args);
  const log = (line: string) => process.stderr.write(line + '\n');
  const suite = buildSuite(args.size);
  let backend: Backend;
  try {
    // As train's auto, the suite's passes over a software adapter: on the default suite
    // SwiftShader ran 3× (m = 1024) to 30× (m ≤ 16) slower than the CPU reference on 2 cores.
    backend = await openBackend(args.backend, log, { software: false });
  } catch (e) {
    if (!(e instanceof NoAdapterError)) throw e;
    process.stderr.write(`shallow-gd: ${e.message}\n`);
    return EXIT.noAdapter;
  }
  const planned = distinctRuns(suite).length;
  log(`experiments: ${args.size} suite, ${planned} runs`);
  const runsPath = join(args.out, RUNS_FILE);
  const runs = openSuiteRuns(runsPath, `--out ${args.out}: ${RUNS_FILE}`);
  onImmediateExit(runs.close);
  if (runs.truncated) log(`experiments: ignoring the cut-off last line of ${runsPath} (an interrupted write); that run trains again`);
  // Between runs nothing is lost; a run in progress is dropped and trains again on resuming.
  interrupt.saveOnSignal(`dropping the runs in progress; the finished ones are in ${runsPath}`);
  let result;
  try {
    result = await runSuite(suite, backend, log, { workers: args.workers, kept: runs.kept, onRecord: runs.append, signal: interrupt.signal });
  } finally {
    runs.close();
  }
  const code = interrupt.exitCode();
  if (result.interrupted && code !== undefined) {
    log(`shallow-gd: interrupted: ${result.records.size} of ${planned} runs are in ${runsPath}; the same command trains the other ${planned - result.records.size} and writes the report`);
    return code;
  }
  log('experiments: fitting the critical widths and comparing kernels');
  const report = buildReport(result);
  const html = join(args.out, `${REPORT_NAME}.html`);
  for (const [name, table] of Object.entries(report.tables)) writeFileAtomic(join(args.out, name), tableToCsv(table));
  writeFileAtomic(join(args.out, CRITICAL_FIT), JSON.stringify(report.fit, null, 2) + '\n');
  writeFileAtomic(html, reportHtml(report.data));
  process.stdout.write(
    [
      `experiments: ${args.size} suite on ${report.data.backend}: ${result.records.size} runs in ${duration(result.wallSeconds)}` +
        (result.wallSeconds >= 60 ? ` (${result.wallSeconds.toFixed(0)} s)` : '') + (result.resumed > 0 ? `, ${result.resumed} of them kept from an interrupted suite` : ''),
      ...findingsText(report.findings),
      `wrote ${html}, ${CRITICAL_CSV}, ${CRITICAL_FIT} and ${Object.keys(report.tables).length - 1} more CSV files beside it`,
    ].join('\n') + '\n',
  );
  return 0;
}
