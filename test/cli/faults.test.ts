// Fault cases of the command line (issue 12: nothing a user had is lost): odd and unwritable
// outputs refused before any work, interrupted and killed runs whose folders still load, two
// sweeps on one file, foreign files, --force, oversized grid points, and honest advice. On the
// CPU reference at tiny sizes, through the bundle that `npm test` builds.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy } from '../../src/io/npy';
import { METRIC_COLUMNS } from '../../src/model/metrics';
import { memoryLimit } from '../../src/train/backend_node';

const BIN = join(__dirname, '../../bin/shallow-gd.mjs');
const CPU = ['--backend', 'cpu'];
const PROBLEM = [...CPU, '--n', '8', '--d', '2', '--steps', '20'];
const TINY = [...PROBLEM, '--m', '4'];
/** Long enough to be interrupted: it never stops by itself within the test. */
const LONG = [...CPU, '--n', '32', '--d', '4', '--m', '64', '--steps', '100000000', '--stop-at-eps', 'false', '--log-every', '200'];

const tmp = () => mkdtempSync(join(tmpdir(), 'shallow-gd-faults-'));

function cli(args: string[], env: Record<string, string> = {}) {
  const start = performance.now();
  const p = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
  return { code: p.status, out: p.stdout, err: p.stderr, seconds: (performance.now() - start) / 1000 };
}

interface Running {
  child: ChildProcess;
  err: () => string;
  exit: Promise<number | null>;
}

function start(args: string[]): Running {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (b) => (err += b));
  child.stdout!.resume();
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return { child, err: () => err, exit };
}

/** Polls until `ready()` holds (a file grew, a line appeared): no fixed sleeps. */
async function until(ready: () => boolean, what: string): Promise<void> {
  for (let k = 0; k < 2000; k++) {
    if (ready()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const lineCount = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').length - 1 : 0);

/** A run folder loads: JSON parses, every CSV row is whole and its steps increase. */
function loadRun(dir: string) {
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  const text = readFileSync(join(dir, 'metrics.csv'), 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  const [header, ...rows] = text.trimEnd().split('\n');
  expect(header).toBe(METRIC_COLUMNS.join(','));
  const steps = rows.map((r) => {
    const cells = r.split(',');
    expect(cells).toHaveLength(METRIC_COLUMNS.length);
    expect(Number.isFinite(Number(cells[1]))).toBe(true);
    return Number(cells[0]);
  });
  steps.slice(1).forEach((s, k) => expect(s).toBeGreaterThan(steps[k]));
  const summary = existsSync(join(dir, 'summary.json')) ? JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) : null;
  // Nothing half-written under a temporary name.
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  return { config, steps, summary };
}

describe('outputs are checked before any work', () => {
  const dir = tmp();
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x\n');
  const dangling = join(dir, 'dangling');
  symlinkSync(join(dir, 'nowhere', 'x'), dangling);
  const cases: [string, string[], RegExp][] = [
    ['train --out under a file', ['train', ...TINY, '--out', join(file, 'run')], /^shallow-gd: --out .*a-file\/run: cannot write .*: a part of the path is a file, not a folder$/],
    ['train --out in /proc', ['train', ...TINY, '--out', '/proc/nope'], /^shallow-gd: --out \/proc\/nope: cannot write/],
    ['train --out in /sys', ['train', ...TINY, '--out', '/sys/nope'], /^shallow-gd: --out \/sys\/nope: cannot write/],
    ['train --out a dangling symlink', ['train', ...TINY, '--out', dangling], /^shallow-gd: --out .*dangling: .*symbolic link to .*nowhere\/x, which does not exist$/],
    ['sweep --out under a file', ['sweep', ...PROBLEM, '--grid', 'm=2,4', '--out', join(file, 'r.jsonl')], /^shallow-gd: --out .*a-file\/r\.jsonl: cannot write/],
    ['merge OUT in /proc', ['merge', '/proc/nope/all.jsonl', file], /^shallow-gd: merge OUT \/proc\/nope\/all\.jsonl: cannot write/],
    ['bench --json a folder', ['bench', '--quick', '--json', dir], /^shallow-gd: --json .*: cannot write .*: it is a folder; a file is needed$/],
    ['bench --md under a file', ['bench', '--quick', '--md', join(file, 'b.md')], /^shallow-gd: --md .*: cannot write/],
    ['experiments --out under a file', ['experiments', '--tiny', '--backend', 'cpu', '--out', join(file, 'rep')], /^shallow-gd: --out .*a-file\/rep: cannot write/],
  ];
  it.each(cases)('%s: exit 2, one line, within seconds, nothing written', (_, args, message) => {
    const r = cli(args);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.out).toBe('');
    expect(r.seconds).toBeLessThan(5);
    expect(readFileSync(file, 'utf8')).toBe('x\n');
  });

  it('merge creates a missing folder for OUT', () => {
    const runs = join(dir, 'runs.jsonl');
    expect(cli(['sweep', ...CPU, '--n', '8', '--d', '2', '--steps', '5', '--grid', 'm=2,4', '--out', runs]).code).toBe(0);
    const out = join(dir, 'new', 'folder', 'all.jsonl');
    expect(cli(['merge', out, runs]).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(runs, 'utf8'));
  });
});

describe('interrupted and killed runs keep what they computed', () => {
  it.each([['SIGINT', 130], ['SIGTERM', 143]] as const)('%s: metrics so far, summary "interrupted", tensors; exit %i', async (signal, code) => {
    const out = join(tmp(), 'run');
    const run = start(['train', ...LONG, '--save-tensors', '--out', out]);
    await until(() => lineCount(join(out, 'metrics.csv')) >= 3, 'metrics rows');
    run.child.kill(signal);
    expect(await run.exit).toBe(code);
    expect(run.err()).toMatch(new RegExp(`${signal}: stopping the run at its next step boundary`));
    expect(run.err()).toMatch(/interrupted at step \d+; .* holds the run so far/);
    const { steps, summary } = loadRun(out);
    expect(summary.outcome).toBe('interrupted');
    expect(steps.at(-1)).toBe(summary.steps_done);
    expect(summary.steps_done).toBeGreaterThan(0);
    const shapes = { X: [32, 4], y: [32], W0: [64, 4], a0: [64], W: [64, 4], a: [64] };
    for (const [name, shape] of Object.entries(shapes)) {
      const t = decodeNpy(readFileSync(join(out, `${name}.npy`)));
      expect(t.shape).toEqual(shape);
      expect(t.data.every(Number.isFinite)).toBe(true);
    }
  });

  it('a second SIGINT exits at once, before the first has saved, with no stack trace', async () => {
    const out = join(tmp(), 'run');
    // After the first signal the run closes with λ of its last state (Lanczos, most of a second
    // here): the second comes while it measures.
    const spectral = [...CPU, '--n', '384', '--d', '16', '--m', '384', '--eta-w', '0.001', '--eta-a', '0.0001', '--spectrum',
      '--steps', '100000000', '--stop-at-eps', 'false', '--log-every', '1000000'];
    const run = start(['train', ...spectral, '--out', out]);
    await until(() => lineCount(join(out, 'metrics.csv')) >= 2, 'the first metrics row');
    run.child.kill('SIGINT');
    await until(() => /Ctrl-C again stops at once/.test(run.err()), 'the first signal taken');
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.err()).toMatch(/shallow-gd: SIGINT: stopped at once\n$/);
    expect(run.err()).not.toMatch(/\n\s+at /);
    expect(loadRun(out).summary).toBeNull();
  });

  it('a tensor write cut off (by a file size limit) leaves no truncated file under its final name, and says so in one line', () => {
    const out = join(tmp(), 'run');
    // W0.npy and W.npy (8192×64 float32, 2 MiB each) pass the limit of 2000 KiB; X.npy and y.npy do not.
    const args = ['train', ...CPU, '--n', '8', '--d', '64', '--m', '8192', '--steps', '1', '--eta-w', '0.01', '--eta-a', '0.001', '--save-tensors', '--out', out];
    const p = spawnSync('bash', ['-c', 'ulimit -f 2000; exec "$@"', 'bash', process.execPath, BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
    expect(p.status, p.stderr).toBe(1);
    expect(p.stderr.trim().split('\n').at(-1)).toBe(`shallow-gd: cannot write ${join(out, 'W0.npy')}: larger than this process may write (a file size limit); what was written before it is kept`);
    expect(p.stderr).not.toMatch(/\n\s+at /);
    const { summary } = loadRun(out);
    expect(summary).toBeNull();
    expect(existsSync(join(out, 'W0.npy'))).toBe(false);
    for (const [name, shape] of Object.entries({ X: [8, 64], y: [8] })) expect(decodeNpy(readFileSync(join(out, `${name}.npy`))).shape).toEqual(shape);
  });

  it('SIGKILL: config.json parses and every metrics row is whole', async () => {
    const out = join(tmp(), 'run');
    const run = start(['train', ...LONG, '--out', out]);
    await until(() => lineCount(join(out, 'metrics.csv')) >= 3, 'metrics rows');
    run.child.kill('SIGKILL');
    await run.exit;
    const { config, steps, summary } = loadRun(out);
    expect(config).toMatchObject({ n: 32, d: 4, m: 64 });
    expect(steps.length).toBeGreaterThanOrEqual(2);
    expect(summary).toBeNull();
  });
});

describe('sweeps share nothing by accident', () => {
  const GRID = [...CPU, '--n', '16', '--d', '2', '--steps', '20000', '--stop-at-eps', 'false', '--grid', 'm=2..64:x2'];
  const ids = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).id as string);

  it('a second sweep on the same file is refused naming the holder; an interrupted one resumes without loss or duplicates', async () => {
    const file = join(tmp(), 'runs.jsonl');
    const first = start(['sweep', ...GRID, '--out', file]);
    await until(() => lineCount(file) >= 1, 'the first record');
    const second = cli(['sweep', ...GRID, '--out', file]);
    expect(second.code).toBe(2);
    expect(second.err).toMatch(new RegExp(`another sweep is writing it \\(process ${first.child.pid} on `));
    first.child.kill('SIGINT');
    expect(await first.exit).toBe(130);
    expect(first.err()).toMatch(/interrupted: \d+ of 6 runs are in .*; the same command runs the other \d+/);
    const kept = ids(file);
    expect(kept.length).toBeGreaterThanOrEqual(1);
    expect(kept.length).toBeLessThan(6);
    expect(existsSync(`${file}.lock`)).toBe(false);
    const resumed = cli(['sweep', ...GRID, '--out', file]);
    expect(resumed.code).toBe(0);
    expect(resumed.err).toContain(`${kept.length} already in ${file}, ${6 - kept.length} to run`);
    const all = ids(file);
    expect(all.slice(0, kept.length)).toEqual(kept);
    expect(new Set(all).size).toBe(6);
    expect(all).toHaveLength(6);
  });

  it('takes over a lock whose process is gone', () => {
    const file = join(tmp(), 'runs.jsonl');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: Number(gone.stdout), host: hostname(), since: 'then' }));
    const r = cli(['sweep', ...CPU, '--n', '8', '--d', '2', '--steps', '5', '--grid', 'm=2,4', '--out', file]);
    expect(r.code).toBe(0);
    expect(ids(file)).toHaveLength(2);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it.each([
    ['a one-line text file', 'my notes'],
    ['a minified .json', '{"results":[1,2,3]}'],
    ['a text file of several lines', 'one\ntwo\n'],
  ])('refuses %s given to --out and leaves it untouched', (_, text) => {
    const file = join(tmp(), 'mine.json');
    writeFileSync(file, text);
    const r = cli(['sweep', ...CPU, '--n', '8', '--d', '2', '--steps', '5', '--grid', 'm=2', '--out', file]);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toMatch(/^shallow-gd: --out .*mine\.json: .*not a sweep record/);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('refuses a grid point too large for this machine before the first run, naming it', () => {
    const file = join(tmp(), 'runs.jsonl');
    const r = cli(['sweep', ...CPU, '--n', '8', '--d', '2', '--steps', '5', '--grid', 'm=1..1e9:x2', '--out', file]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n').at(-1)).toMatch(/^shallow-gd: grid point m=\d+: --m \(m\) too large: .* the largest m that fits is \d+$/);
    expect(existsSync(file)).toBe(false);
    expect(r.seconds).toBeLessThan(5);
  });
});

describe('--force', () => {
  it("removes an earlier run's files and nothing else", () => {
    const out = join(tmp(), 'run');
    expect(cli(['train', ...TINY, '--save-tensors', '--out', out]).code).toBe(0);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    mkdirSync(join(out, 'plots'));
    expect(cli(['train', ...TINY, '--out', out]).code).toBe(2);
    expect(cli(['train', ...PROBLEM, '--m', '6', '--force', '--out', out]).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['config.json', 'metrics.csv', 'notes.txt', 'plots', 'summary.json']);
    expect(loadRun(out).config.m).toBe(6);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });
});

describe('a word for every long phase', () => {
  it('names each setup phase on stderr, and the summary gives setup time apart from training time', () => {
    const out = join(tmp(), 'run');
    const r = cli(['train', ...TINY, '--linearized', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^setup: λ_max\(H_W\) by power iteration \(automatic rate\)\nsetup: λ_max\(H_a\) by power iteration \(automatic rate\)\nsetup: the dense 8×8 H_0 \(--linearized\)\nsetup: eigendecomposition of the 8×8 H_0\nsetup: done in [\d.]+ s$/m);
    const { summary } = loadRun(out);
    expect(summary.setup_seconds).toBeGreaterThan(0);
    expect(summary.wall_seconds).toBeGreaterThan(0);
    expect(r.out).toMatch(/^speed +20 steps in [\d.]+ s \(.* steps\/s\) after [\d.]+ s of setup/m);
  });
});

describe('honest advice', () => {
  it('refuses labels whose loss overflows float32', () => {
    const dir = tmp();
    const labels = join(dir, 'y.npy');
    writeFileSync(labels, encodeNpy(Float32Array.from({ length: 8 }, () => 3e38), [8]));
    const r = cli(['train', ...TINY, '--labels', `file:${labels}`]);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toMatch(/^shallow-gd: --labels \(labels\) file:.*: ½‖y‖² = .* overflows float32/);
  });

  it('suggests after a divergence rates that do not diverge, from the sharpness at initialization', () => {
    const problem = [...CPU, '--n', '16', '--d', '4', '--m', '16', '--steps', '2000'];
    const out = join(tmp(), 'run');
    const r = cli(['train', ...problem, '--eta-w', '50', '--out', out]);
    expect(r.code).toBe(4);
    const suggested = loadRun(out).summary.suggested;
    expect(suggested.from).toBe('initialization (λ_W by rough estimate, λ_a by power iteration)');
    expect(suggested.bound).toBeLessThanOrEqual(suggested.target + 1e-12);
    // Halving five times (etaW 1.56) still diverged here; the advice is what a user would type.
    const retry = /retry with (--eta-w \S+) (--eta-a \S+)$/m.exec(r.out)!;
    const again = cli(['train', ...problem, ...retry[1].split(' '), ...retry[2].split(' ')]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/^outcome +(converged|not converged)/m);
  });

  it('names a missing ICD file as missing', () => {
    const r = cli(['train', '--backend', 'webgpu', ...TINY.slice(2)], { VK_ICD_FILENAMES: '/nonexistent/icd.json' });
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/no WebGPU adapter found \(VK_ICD_FILENAMES names \/nonexistent\/icd\.json, which does not exist\)/);
  });

  it('warns once, at the first logged row at the edge of stability, and the summary gives the peak', () => {
    const out = join(tmp(), 'run');
    // n = 64, d = 8, m = 16 at c = 0.5 sharpens past 2 within 100 steps (docs/STABILITY.md).
    const r = cli(['train', ...CPU, '--n', '64', '--d', '8', '--m', '16', '--rate-factor', '0.5', '--steps', '200', '--out', out]);
    expect(r.code).toBe(0);
    const { summary } = loadRun(out);
    const rows = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const col = METRIC_COLUMNS.indexOf('sharpness');
    const first = rows.find((cells) => Number(cells[col]) >= 2)!;
    const warnings = r.err.split('\n').filter((l) => l.includes('edge of stability'));
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^shallow-gd: edge of stability: the outcome depends on the step size \\(sharpness λ_max\\(H_t\\) = [\\d.]+ ≥ 2 at step ${first[0]};`))]);
    expect(summary.peak_sharpness).toBe(Math.max(...rows.map((cells) => Number(cells[col]))));
    expect(r.out).toMatch(/^stability +peak sharpness [\d.]+ \(≥ 2: edge of stability/m);
  });

  it('the outcome line agrees with summary.json when --stop-at-eps false', () => {
    const out = join(tmp(), 'run');
    const r = cli(['train', ...CPU, '--n', '8', '--d', '8', '--m', '32', '--steps', '3000', '--eps', '1e-3', '--stop-at-eps', 'false', '--out', out]);
    expect(r.code).toBe(0);
    const summary = loadRun(out).summary;
    expect(summary.steps_to_eps).toBeGreaterThan(0);
    const where = summary.final.loss_ratio < 1e-3 ? 'below' : 'back above';
    expect(r.out).toMatch(new RegExp(`^outcome +L/L0 < eps = 0\\.001 at step ${summary.steps_to_eps}; ran on \\(stop-at-eps false\\) to step 3000, ending ${where} eps at L/L0 = `, 'm'));
    expect(summary.budget).toBe('reached_eps');
  });

  it("the CPU memory check reads the cgroup's limit", () => {
    const dir = tmp();
    const limited = join(dir, 'memory.max'), unlimited = join(dir, 'unlimited');
    writeFileSync(limited, `${3 * 2 ** 30}\n`);
    writeFileSync(unlimited, 'max\n');
    expect(memoryLimit([limited])).toEqual({ bytes: 3 * 2 ** 30, what: `the container's limit (${limited})` });
    expect(memoryLimit([unlimited]).bytes).toBe(totalmem());
    expect(memoryLimit([join(dir, 'absent'), limited]).bytes).toBe(3 * 2 ** 30);
  });
});
