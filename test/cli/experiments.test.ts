// `shallow-gd experiments` end to end: the tiny suite on the CPU reference writes the report
// (six charts, inline data, uPlot inlined, nothing fetched) and its CSVs, and the printed
// summary states what the data says. test/report/page.browser.test.ts draws that report in
// Chromium; test/report/suite.test.ts checks the suite's plan.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { experimentsCommand } from '../../src/cli/experiments';
import { resolveConfig } from '../../src/config/resolve';
import { ConfigError } from '../../src/config/schema';
import { createCpuTrainer } from '../../src/train/trainer';
import { csvName, type ReportData } from '../../src/report/data';
import { EXPERIMENT_IDS, SUITE_PARAMS, buildSuite, distinctRuns, ratesFor } from '../../src/report/suite';
import { median } from '../../src/sweep/summary';
import { num } from '../../src/train/format';

const tiny = SUITE_PARAMS.tiny;

/** Runs the command with stdout and stderr captured. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  try {
    return { code: await experimentsCommand(argv), out: out.join(''), err: err.join('') };
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
  it('writes the report: six captioned charts, the data inline, uPlot inlined', () => {
    expect(result.code).toBe(0);
    const sections = [...html.matchAll(/<section id="([a-z]+)">\s*<h2>[^<]+<\/h2>\s*<p class="caption">([^<]+)<\/p>/g)];
    expect(sections.map((s) => s[1])).toEqual(EXPERIMENT_IDS);
    expect(data.charts.map((c) => c.id)).toEqual(EXPERIMENT_IDS);
    for (const c of data.charts) {
      expect(c.caption.endsWith('.')).toBe(true);
      expect(c.series.length).toBeGreaterThan(0);
      c.series.forEach((s) => expect(s.y).toHaveLength(s.x.length));
    }
    expect(data).toMatchObject({ size: 'tiny', backend: 'float64 CPU reference', runs: distinctRuns(buildSuite('tiny')).length });
    // uPlot's script and style, not a link to them.
    expect(html).toContain('var uPlot=function');
    expect(html).toMatch(/<style>[^<]*\.uplot[\s,{]/);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?(https?:)?\/\/|@import/i);
    // Thresholds on the m·d/n axis of chart 2: m(d+1) = n, m·d = n², m = n².
    const success = data.charts.find((c) => c.id === 'success')!;
    [tiny.d / (tiny.d + 1), tiny.n, tiny.n * tiny.d].forEach((x, k) => expect(success.marks[k].x).toBeCloseTo(x, 12));
  });

  it('writes one CSV per chart, with the data the charts draw', () => {
    const files = Object.fromEntries(EXPERIMENT_IDS.map((id) => [id, csv(join(dir, csvName(id)))]));
    const chart = (id: string) => data.charts.find((c) => c.id === id)!;
    expect(files.loss.header).toEqual(['m', 'md_over_n', 'seed', 'step', 'loss', 'loss_ratio']);
    expect(files.success.header).toEqual(['md_over_n', 'm', 'runs', 'converged', 'success', 'median_steps_to_eps', 'thresholds_met']);
    expect(files.movement.header).toEqual(['m', 'md_over_n', 'seed', 'outcome', 'converged', 'steps_done', 'rel_move_w', 'rel_move_a', 'max_neuron_move', 'flip_frac', 'dead_frac', 'sqrt_n_over_m']);
    expect(files.spectrum.header).toEqual(['m', 'md_over_n', 'seed', 'step', 'loss_ratio', 'lambda_min', 'lambda_max']);
    expect(files.kernel.header).toEqual(['labels', 'm', 'md_over_n', 'seed', 'step', 'loss_ratio', 'kernel_loss_ratio']);
    expect(files.rates.header).toEqual(['setting', 'm', 'seed', 'eta_w', 'eta_a', 'converged', 'steps_to_eps', 'step', 'loss_ratio']);

    expect(files.success.rows).toHaveLength(tiny.widths.length);
    expect(files.movement.rows).toHaveLength(tiny.widths.length * tiny.seeds.length);
    // Curves drop only step 0 (a log step axis has no 0); spectrum and kernel draw two curves per run.
    const drawn = (id: string, perRun: number) => chart(id).series.reduce((s, c) => s + c.x.length + 1, 0) / perRun;
    expect(files.loss.rows).toHaveLength(drawn('loss', 1));
    expect(files.spectrum.rows).toHaveLength(drawn('spectrum', 2));
    expect(files.kernel.rows).toHaveLength(drawn('kernel', 2));
    expect(files.rates.rows).toHaveLength(drawn('rates', 1));

    // Chart 3 draws the medians over seeds of the movement CSV.
    const move = chart('movement');
    tiny.widths.forEach((m, k) => {
      const at = files.movement.rows.filter((r) => Number(r.m) === m);
      expect(at).toHaveLength(tiny.seeds.length);
      expect(move.series[0].y[k]).toBeCloseTo(median(at.map((r) => Number(r.rel_move_w)))!, 12);
      expect(move.series[3].y[k]).toBeCloseTo(median(at.map((r) => Number(r.flip_frac)))!, 12);
    });
  });

  it('records each run as training its config directly gives it', async () => {
    const m = tiny.widths[tiny.widths.length - 1];
    const settings = buildSuite('tiny').experiments[0].runs.find((r) => r.settings.m === m)!.settings;
    const direct = await (await createCpuTrainer(resolveConfig(settings))).run();
    const rows = csv(join(dir, csvName('loss'))).rows.filter((r) => Number(r.m) === m);
    expect(rows.map((r) => [Number(r.step), Number(r.loss_ratio)])).toEqual(direct.rows.map((r) => [r.step, r.loss_ratio]));
  });

  it('moves the rate ratio by lowering one of the auto rates', () => {
    const rows = csv(join(dir, csvName('rates'))).rows;
    const rates = (match: (setting: string) => boolean) => {
      const r = rows.find((x) => match(x.setting))!;
      return { etaW: Number(r.eta_w), etaA: Number(r.eta_a) };
    };
    const auto = rates((s) => s.startsWith('both') && s.endsWith('(auto)'));
    expect(auto.etaW).toBeGreaterThan(0);
    expect(auto.etaA).toBeGreaterThan(0);
    expect(rates((s) => s.startsWith('first layer only')).etaA).toBe(0);
    expect(rates((s) => s.startsWith('second layer only')).etaW).toBe(0);
    for (const factor of tiny.rateFactors.filter((f) => f !== 1)) {
      // CSV numbers read back exactly (shortest round-trip form).
      expect(rates((s) => s.endsWith(`(auto ×${num(factor)})`))).toEqual(ratesFor(auto, factor));
    }
  });

  it('prints the narrowest width where every seed converged, and the movement there, as in the data', () => {
    const success = csv(join(dir, csvName('success'))).rows;
    const first = success.find((r) => Number(r.success) === 1)!;
    expect(first).toBeDefined();
    const at = csv(join(dir, csvName('movement'))).rows.filter((r) => r.m === first.m);
    expect(at.every((r) => r.converged === 'true')).toBe(true);
    const med = (col: string) => num(median(at.map((r) => Number(r[col])))!);
    expect(result.out).toContain(`all ${tiny.seeds.length} seeds converged at m·d/n = ${num(Number(first.md_over_n))} (m = ${first.m})`);
    expect(result.out).toContain(`‖W−W0‖/‖W0‖ = ${med('rel_move_w')}, ‖a−a0‖/‖a0‖ = ${med('rel_move_a')}`);
    expect(result.out).toContain(`flip_frac = ${med('flip_frac')}`);
    expect(result.out).toContain(`wrote ${join(dir, 'beyond-ntk.html')}`);
    expect(result.err).toContain('backend: float64 CPU reference');
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
    await expect(experimentsCommand(['--m', '4'])).rejects.toThrow('unknown flag --m (see shallow-gd experiments --help)');
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^usage: shallow-gd experiments \[--tiny \| --full\]/);
  });
});
