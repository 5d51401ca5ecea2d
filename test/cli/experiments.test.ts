// `shallow-gd experiments` end to end: the tiny suite on the CPU reference writes the report
// (seven charts, inline data, uPlot inlined, nothing fetched), its CSVs and the critical-width
// table and fit, and the printed summary states what the data says. test/report/page.browser.test.ts draws that report in
// Chromium; test/report/suite.test.ts checks the suite's plan.
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { experimentsCommand } from '../../src/cli/experiments';
import type { Interrupt } from '../../src/cli/interrupt';
import { resolveConfig } from '../../src/config/resolve';
import { ConfigError } from '../../src/config/schema';
import { createCpuTrainer } from '../../src/train/trainer';
import { CRITICAL_CSV, CRITICAL_FIT, csvName, type ReportData } from '../../src/report/data';
import { EXPERIMENT_IDS, SUITE_PARAMS, buildSuite, distinctRuns, ratesFor } from '../../src/report/suite';
import { wilson } from '../../src/sweep/summary';
import { num } from '../../src/train/format';

const tiny = SUITE_PARAMS.tiny;

/** Runs the command with stdout and stderr captured; `stopAt` interrupts it (as a Ctrl-C would) once that many runs are in. */
async function run(argv: string[], stopAt?: number): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const ctrlC = new AbortController();
  const interrupt: Interrupt = { signal: ctrlC.signal, saveOnSignal() {}, exitCode: () => (ctrlC.signal.aborted ? 130 : undefined) };
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err.push(String(s));
    if (stopAt !== undefined && String(s).startsWith(`[${stopAt}/`)) ctrlC.abort();
    return true;
  });
  try {
    return { code: await experimentsCommand(argv, interrupt), out: out.join(''), err: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** Fields of one CSV line (RFC 4180 quoting; the report's fields hold no newline). */
function fields(line: string): string[] {
  return [...line.matchAll(/(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g)].map((m) => (m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]));
}

/** A CSV as its header and rows keyed by it. */
function csv(path: string): { header: string[]; rows: Record<string, string>[] } {
  const [head, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const header = fields(head);
  return { header, rows: lines.map((l) => Object.fromEntries(fields(l).map((v, j) => [header[j], v]))) };
}

let dir: string, html: string, data: ReportData, result: { code: number; out: string; err: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shallow-gd-report-'));
  result = await run(['--tiny', '--backend', 'cpu', '--out', dir]);
  html = readFileSync(join(dir, 'beyond-ntk.html'), 'utf8');
  const json = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
  data = JSON.parse(json![1]);
});

describe('shallow-gd experiments --tiny', () => {
  it('writes the report: seven captioned charts with their spread, the data inline, uPlot inlined', () => {
    expect(result.code).toBe(0);
    const sections = [...html.matchAll(/<section id="([a-z]+)">\s*<h2>[^<]+<\/h2>\s*<p class="caption">([^<]+)<\/p>/g)];
    expect(sections.map((s) => s[1])).toEqual(EXPERIMENT_IDS);
    expect(data.charts.map((c) => c.id)).toEqual(EXPERIMENT_IDS);
    for (const c of data.charts) {
      expect(c.caption.endsWith('.')).toBe(true);
      expect(c.series.length).toBeGreaterThan(0);
      c.series.forEach((s) => expect(s.y).toHaveLength(s.x.length));
      // Every chart draws a spread (an interval or quartiles) for some series.
      expect(c.series.some((s) => s.lo && s.hi && s.lo.length === s.x.length)).toBe(true);
    }
    expect(data).toMatchObject({ size: 'tiny', backend: 'float64 CPU reference', runs: distinctRuns(buildSuite('tiny')).length });
    // uPlot's script and style, not a link to them.
    expect(html).toContain('var uPlot=function');
    expect(html).toMatch(/<style>[^<]*\.uplot[\s,{]/);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?(https?:)?\/\/|@import/i);
  });

  it('writes the critical-width table and fit, and states the exponent at the top and on stdout', () => {
    const table = csv(join(dir, CRITICAL_CSV));
    expect(table.header.slice(0, 6)).toEqual(['n', 'd', 'seeds', 'critical_md_over_n', 'ci_low', 'ci_high']);
    expect(table.rows.map((r) => Number(r.n))).toEqual(tiny.critical.ns);
    const fit = JSON.parse(readFileSync(join(dir, CRITICAL_FIT), 'utf8'));
    expect(Object.keys(fit).slice(0, 3)).toEqual(['exponent', 'ci_low', 'ci_high']);
    const crossed = table.rows.filter((r) => r.critical_md_over_n !== '');
    if (crossed.length >= 3) {
      const line = `critical m grows like n^p, p = ${num(fit.exponent)} ± ${num((fit.ci_high - fit.ci_low) / 2)}`;
      expect(data.headline.startsWith(line.replace(/^c/, 'C'))).toBe(true);
      expect(result.out).toContain(line);
    } else {
      expect(fit.exponent).toBeNull();
      expect(data.headline).toMatch(/^No exponent: the ½ crossing lies inside the widths at \d n/);
    }
    // The m·d/n success rows behind the fit: Wilson intervals of their counts.
    for (const r of csv(join(dir, csvName('critical'))).rows) {
      const [lo, hi] = wilson(Number(r.converged), Number(r.runs));
      expect(Number(r.ci_low)).toBeCloseTo(lo, 12);
      expect(Number(r.ci_high)).toBeCloseTo(hi, 12);
      expect(Number(r.runs)).toBe(tiny.critical.seeds);
    }
    expect(result.out).toContain(`wrote ${join(dir, 'beyond-ntk.html')}`);
    expect(result.err).toContain('backend: float64 CPU reference');
  });

  it('records each run as training its config directly gives it', async () => {
    const run = buildSuite('tiny').experiments[0].runs.find((r) => r.settings.seed === 1 && r.settings.n === tiny.critical.ns[0])!;
    const direct = await (await createCpuTrainer(resolveConfig(run.settings))).run();
    const row = csv(join(dir, csvName('critical'))).rows.find((r) => Number(r.n) === run.settings.n && Number(r.m) === run.settings.m)!;
    expect(row).toBeDefined();
    expect(Number(run.settings.rateFactor)).toBe(tiny.rateFactor);
    expect(direct.stepsDone).toBeLessThanOrEqual(Number(run.settings.steps));
    // Seed 1 is one of the row's runs: converged there counts it when it converged alone.
    if (direct.stepsToEps !== null) expect(Number(row.converged)).toBeGreaterThan(0);
    else expect(Number(row.converged)).toBeLessThan(tiny.critical.seeds);
  });

  it('moves the rate ratio by lowering one of the auto rates, per seed', () => {
    const rows = csv(join(dir, csvName('rates'))).rows;
    const rates = (setting: string, seed: string, m: string) => {
      const r = rows.find((x) => x.setting === setting && x.seed === seed && x.m === m)!;
      return { etaW: Number(r.eta_w), etaA: Number(r.eta_a) };
    };
    for (const auto of rows.filter((r) => r.setting === 'both, auto')) {
      const base = rates('both, auto', auto.seed, auto.m);
      expect(base.etaW).toBeGreaterThan(0);
      expect(base.etaA).toBeGreaterThan(0);
      expect(rates('first layer only', auto.seed, auto.m).etaA).toBe(0);
      expect(rates('second layer only', auto.seed, auto.m).etaW).toBe(0);
      for (const factor of tiny.rates.factors.filter((f) => f !== 1))
        // CSV numbers read back exactly (shortest round-trip form).
        expect(rates(`both, auto ×${num(factor)}`, auto.seed, auto.m)).toEqual(ratesFor(base, factor));
    }
    // The legend gives the spread of the measured ratio over the runs, not one seed's.
    const legend = data.charts.find((c) => c.id === 'rates')!.series.map((s) => s.label).find((l) => l.startsWith('both, auto ('))!;
    const ratios = rows.filter((r) => r.setting === 'both, auto').map((r) => Number(r.eta_ratio));
    expect(legend).toBe(`both, auto (η_W/η_a ${num(Math.min(...ratios))}–${num(Math.max(...ratios))} over ${ratios.length} runs)`);
  });

  it('measures the kernel change from saved tensors and the peak sharpness by the stability monitor', () => {
    const lazy = csv(join(dir, csvName('lazy'))).rows;
    expect(lazy).toHaveLength(tiny.lazy.widths.length * tiny.lazy.seeds);
    lazy.forEach((r) => expect(Number(r.kernel_change)).toBeGreaterThan(0));
    const steps = csv(join(dir, csvName('stepsize'))).rows;
    steps.forEach((r) => expect(Number(r.peak_sharpness)).toBeGreaterThan(0));
  });

  it('refuses to overwrite a report, before running anything', async () => {
    const before = statSync(join(dir, 'beyond-ntk.html')).mtimeMs;
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await expect(experimentsCommand(['--tiny', '--backend', 'cpu', '--out', dir])).rejects.toThrow(
      new ConfigError('force', `--out ${dir} already holds a report (beyond-ntk.html): choose another folder or add --force`),
    );
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
    expect(statSync(join(dir, 'beyond-ntk.html')).mtimeMs).toBe(before);
    await expect(experimentsCommand(['--tiny', '--full'])).rejects.toThrow('--tiny and --full exclude each other');
    await expect(experimentsCommand(['--backend', 'gpu'])).rejects.toThrow('--backend must be one of auto, webgpu, cpu; got "gpu"');
    await expect(experimentsCommand(['--workers', '0'])).rejects.toThrow('--workers must be a whole number from 1 to 1024; got "0"');
    await expect(experimentsCommand(['--m', '4'])).rejects.toThrow('unknown flag --m (see shallow-gd experiments --help)');
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^usage: shallow-gd experiments \[--tiny \| --full\]/);
  });

  it('keeps every finished run when interrupted, and the same command resumes to the same report', async () => {
    const out = mkdtempSync(join(tmpdir(), 'shallow-gd-report-'));
    // Stopped once the runs that keep tensors are in (one worker trains the independent runs in plan order, the ratio runs last).
    const runs = distinctRuns(buildSuite('tiny'));
    const planned = runs.length;
    const stopAt = runs.filter((r) => r.baseId === undefined).map((r) => r.keep.tensors === true).lastIndexOf(true) + 1;
    expect(stopAt).toBeGreaterThan(1);
    const stopped = await run(['--tiny', '--backend', 'cpu', '--workers', '1', '--out', out], stopAt);
    expect(stopped.code).toBe(130);
    expect(existsSync(join(out, 'beyond-ntk.html'))).toBe(false);
    const kept = readFileSync(join(out, 'runs.jsonl'), 'utf8').trimEnd().split('\n');
    expect(kept.length).toBeGreaterThanOrEqual(stopAt);
    expect(kept.length).toBeLessThan(planned);
    expect(kept.filter((line) => line.includes('"tensors":'))).toHaveLength(runs.filter((r) => r.keep.tensors).length);
    expect(stopped.err).toContain(`interrupted: ${kept.length} of ${planned} runs are in ${join(out, 'runs.jsonl')}`);
    const resumed = await run(['--tiny', '--backend', 'cpu', '--out', out]);
    expect(resumed.code).toBe(0);
    expect(resumed.err).toContain(`${kept.length} of ${planned} runs were kept by an earlier, interrupted suite; ${planned - kept.length} to train`);
    const again: ReportData = JSON.parse(/<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(readFileSync(join(out, 'beyond-ntk.html'), 'utf8'))![1]);
    // Every chart's numbers, those of kept runs (rows and tensors read back) included, are the uninterrupted suite's.
    expect(again.charts).toEqual(data.charts);
    expect(readFileSync(join(out, csvName('lazy')), 'utf8')).toBe(readFileSync(join(dir, csvName('lazy')), 'utf8'));
  });
});
