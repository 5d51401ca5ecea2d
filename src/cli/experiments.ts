// `shallow-gd experiments`: runs the beyond-NTK suite (src/report/suite.ts) and writes the
// report (one self-contained HTML file) and its data as one CSV per chart.
import { existsSync } from 'node:fs';
import { prepareFolder, writeFileAtomic } from '../io/files_node';
import { join } from 'node:path';
import { ConfigError } from '../config/schema';
import { NoAdapterError, openBackend } from '../train/backend_node';
import { EXIT } from './exit';
import type { Backend } from '../train/backend';
import { duration, num } from '../train/format';
import { REPORT_NAME, buildReport, csvName, tableToCsv, type Findings } from '../report/data';
import { reportHtml } from '../report/html';
import { runSuite } from '../report/run';
import { EXPERIMENT_IDS, SUITE_PARAMS, buildSuite, type SuiteSize } from '../report/suite';
import { BACKEND, flagLines, parse, type BackendChoice } from './args';

const { tiny, full } = SUITE_PARAMS;

const EXPERIMENTS = {
  name: 'experiments',
  flags: {
    tiny: { kind: 'switch', help: `the tiny suite: n=${tiny.n} d=${tiny.d}, seconds (a smoke test)` },
    full: {
      kind: 'switch',
      help: `the full suite: n=${full.n} d=${full.d}, m up to ${full.widths.at(-1)}, ${full.seeds.length} seeds, ≤${full.steps} steps: for a GPU`,
    },
    backend: {
      ...BACKEND,
      help: 'auto (a hardware WebGPU adapter if there is one, else the float64 CPU reference: faster than a software adapter such as SwiftShader at these sizes), webgpu, or cpu',
    },
    out: { kind: 'value', arg: 'DIR', default: 'reports', help: 'where to write the report' },
    force: { kind: 'switch', help: 'overwrite an existing report in DIR' },
  },
} as const;

export function experimentsHelp(): string {
  const d = SUITE_PARAMS.default;
  return [
    'usage: shallow-gd experiments [--tiny | --full] [--backend auto|webgpu|cpu] [--out DIR] [--force]',
    '',
    `Runs the beyond-NTK suite and writes DIR/${REPORT_NAME}.html (uPlot charts, data inline, opens offline)`,
    `and its data, one CSV per chart (${EXPERIMENT_IDS.map(csvName).join(', ')}):`,
    '  1 loss curves for widths from below the parameter-count threshold m(d+1) = n to far above it',
    '  2 success probability over seeds against m·d/n, with the thresholds m(d+1) = n, m·d = n², m = n²',
    '  3 relative movement of W and a, and flipped activation patterns, against m, with the NTK scale √n/√m',
    '  4 λ_min (and λ_max) of the tangent kernel H_t over training (--spectrum)',
    '  5 real loss against the kernel (linearized) prediction, for ±1 and adversarial labels (--linearized)',
    '  6 rates: first layer only, second layer only, both at etaW/etaA = auto × 1/100 … 100 (one rate lowered)',
    '',
    `default suite: n=${d.n} d=${d.d}, m=${d.widths.join(',')}, ${d.seeds.length} seeds, ≤${d.steps} steps: about 5 min on the CPU reference of 2 cores`,
    '',
    'flags:',
    ...flagLines(EXPERIMENTS.flags),
    '',
    'At the end it prints the smallest m·d/n at which all seeds converged, and how far the weights moved there.',
    '',
    'exit codes: 0 written, 2 invalid input (or a report exists without --force), 3 no WebGPU adapter for --backend webgpu',
  ].join('\n');
}

interface ExperimentsArgs {
  size: SuiteSize;
  backend: BackendChoice;
  out: string;
  force: boolean;
  help: boolean;
}

export function parseExperimentsArgs(argv: readonly string[]): ExperimentsArgs {
  const { flags, help } = parse(EXPERIMENTS, argv);
  if (flags.tiny && flags.full) throw new ConfigError('size', '--tiny and --full exclude each other');
  return { size: flags.tiny ? 'tiny' : flags.full ? 'full' : 'default', backend: flags.backend, out: flags.out, force: flags.force, help };
}

/** The files the report writes, by name. */
const outputs = () => [`${REPORT_NAME}.html`, ...EXPERIMENT_IDS.map(csvName)];

function checkOut(args: ExperimentsArgs): void {
  prepareFolder(`--out ${args.out}`, args.out);
  const existing = outputs().filter((f) => existsSync(join(args.out, f)));
  if (existing.length > 0 && !args.force)
    throw new ConfigError('force', `--out ${args.out} already holds a report (${existing[0]}): choose another folder or add --force`);
}

/** The plain-text summary on stdout. */
function findingsText(f: Findings, seeds: number): string[] {
  const t = f.threshold;
  const lines = [
    t
      ? `all ${seeds} seeds converged at m·d/n = ${num(t.md_over_n)} (m = ${t.m})${t.holdsAbove ? ' and at every wider width' : ', but not at every wider width'}`
      : `no width had all ${seeds} seeds converge`,
  ];
  if (t)
    lines.push(`there (medians over seeds): ‖W−W0‖/‖W0‖ = ${num(t.rel_move_w)}, ‖a−a0‖/‖a0‖ = ${num(t.rel_move_a)}, max neuron move = ${num(t.max_neuron_move)}, flip_frac = ${num(t.flip_frac)}`);
  lines.push(`thresholds: ${f.thresholds.map((th) => `${th.rule} at m·d/n = ${num(th.md_over_n)}`).join(', ')}`);
  return lines;
}

export async function experimentsCommand(argv: string[]): Promise<number> {
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
    // Unlike train's auto, the suite's passes over a software adapter: on the default suite
    // SwiftShader ran 3× (m = 1024) to 30× (m ≤ 16) slower than the CPU reference on 2 cores.
    backend = await openBackend(args.backend, log, { software: false });
  } catch (e) {
    if (!(e instanceof NoAdapterError)) throw e;
    process.stderr.write(`shallow-gd: ${e.message}\n`);
    return EXIT.noAdapter;
  }
  log(`experiments: ${args.size} suite, n=${suite.params.n} d=${suite.params.d}`);
  const result = await runSuite(suite, backend, log);
  const report = buildReport(result);
  const html = join(args.out, `${REPORT_NAME}.html`);
  writeFileAtomic(html, reportHtml(report.data));
  for (const id of EXPERIMENT_IDS) writeFileAtomic(join(args.out, csvName(id)), tableToCsv(report.tables[id]));
  process.stdout.write(
    [
      `experiments: ${args.size} suite on ${report.data.backend}: ${result.records.size} runs in ${duration(result.wallSeconds)} (${result.wallSeconds.toFixed(0)} s)`,
      ...findingsText(report.findings, suite.params.seeds.length),
      `wrote ${html} and ${EXPERIMENT_IDS.length} CSV files beside it`,
    ].join('\n') + '\n',
  );
  return 0;
}
