// `shallow-gd sweep` and `merge` end to end on the CPU reference, at sizes that take milliseconds.
import { existsSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mergeCommand, sweepCommand } from '../../src/cli/sweep';
import { resolveConfig } from '../../src/config/resolve';
import { ConfigError } from '../../src/config/schema';
import { createCpuTrainer } from '../../src/train/trainer';
import { expandGrid, parseGridAxis } from '../../src/sweep/grid';

const PROBLEM = ['--backend', 'cpu', '--n', '8', '--d', '2', '--steps', '300'];
const GRID = ['--grid', 'm=2..16:x2', '--grid', 'seed=1..3'];
const gridIds = () => expandGrid({ n: '8', d: '2', steps: '300' }, [parseGridAxis('m=2..16:x2'), parseGridAxis('seed=1..3')]).map((r) => r.id);

let out: string[], err: string[];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  // The tests may themselves run inside a Slurm array or a Kubernetes Job.
  for (const v of ['SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_MIN', 'SLURM_ARRAY_TASK_MAX', 'SLURM_ARRAY_TASK_STEP', 'SLURM_ARRAY_TASK_COUNT', 'JOB_COMPLETION_INDEX'])
    vi.stubEnv(v, undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const tmp = () => mkdtempSync(join(tmpdir(), 'shallow-gd-sweep-'));
const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);
const ids = (path: string) => lines(path).map((l) => JSON.parse(l).id as string);

describe('shallow-gd sweep', () => {
  it('shards cover the grid exactly once, each in its own file, and merge joins them', async () => {
    const dir = tmp();
    const file = join(dir, 'runs.jsonl');
    expect(await sweepCommand([...GRID, ...PROBLEM, '--out', file, '--shard', '0/3'])).toBe(0);
    expect(await sweepCommand([...PROBLEM, ...GRID, `--out=${file}`, '--shard=1/3'])).toBe(0);
    // Shard 2 of a Slurm array --array=1-3.
    Object.entries({ SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '3', SLURM_ARRAY_TASK_COUNT: '3' })
      .forEach(([k, v]) => vi.stubEnv(k, v));
    expect(await sweepCommand([...GRID, ...PROBLEM, '--out', file])).toBe(0);
    expect(existsSync(file)).toBe(false);
    const all = gridIds();
    expect(all).toHaveLength(12);
    const shards = [0, 1, 2].map((i) => join(dir, `runs.shard-${i}-of-3.jsonl`));
    shards.forEach((path, i) => expect(ids(path)).toEqual(all.filter((_, k) => k % 3 === i)));
    expect(err.join('')).toContain(`sweep: 12 runs in the grid; shard 2/3 takes 4; 0 already in ${shards[2]}, 4 to run`);

    // A record is the run itself: the same numbers as training its config directly.
    const rec = JSON.parse(lines(shards[1])[0]);
    expect(rec.settings).toMatchObject({ n: 8, d: 2, m: 2, seed: 2, steps: 300, etaW: 'auto' });
    const directTrainer = await createCpuTrainer(resolveConfig(rec.settings));
    const direct = await directTrainer.run();
    expect(rec).toMatchObject({
      outcome: direct.outcome, steps_done: direct.stepsDone, steps_to_eps: direct.stepsToEps, loss0: direct.loss0,
      // As stored: JSON turns the metrics not measured (NaN) into null.
      final: JSON.parse(JSON.stringify(direct.rows[direct.rows.length - 1])), converged: direct.stepsToEps !== null,
      backend: { kind: 'cpu', name: 'float64 CPU reference', software: true },
    });
    // The rates measured at initialization, as the trainer used them.
    expect(rec.config.etaW).toBe(directTrainer.config.etaW);
    expect(rec.config.rateRule.etaW).toMatch(/power iteration/);

    // Shard 0 twice: its runs count once.
    const merged = join(dir, 'all.jsonl');
    out.length = err.length = 0;
    expect(await mergeCommand([merged, ...shards, shards[0], '--json'])).toBe(0);
    expect(ids(merged).sort()).toEqual([...all].sort());
    expect(err.join('')).toBe(`merge: 12 runs from 4 files into ${merged}; 4 duplicate ids dropped (the first kept)\n`);
    const summary = JSON.parse(out.join(''));
    expect(summary.runs).toBe(12);
    expect(summary.rows.map((r: { m: number; runs: number }) => [r.m, r.runs])).toEqual([[2, 3], [4, 3], [8, 3], [16, 3]]);
    expect(summary.converged).toBe(lines(merged).filter((l) => JSON.parse(l).converged).length);
    await expect(mergeCommand([merged, shards[0]])).rejects.toThrow(/^merge: .*all\.jsonl exists: choose a new file or add --force$/);
  });

  it('resumes: finished runs are skipped, a cut-off last line runs again, whatever the order of the flags', async () => {
    const file = join(tmp(), 'runs.jsonl');
    expect(await sweepCommand([...PROBLEM, ...GRID, '--out', file])).toBe(0);
    const first = lines(file);
    expect(first).toHaveLength(12);
    expect(out.join('')).toMatch(/^12 runs, \d+ converged/);

    // Killed while writing the fifth line.
    const keep = first.slice(0, 4).join('\n').length + 1;
    truncateSync(file, keep + 40);
    err.length = 0;
    const reordered = ['--grid', 'seed=1..3', '--grid', 'm=2..16:x2', ...PROBLEM, '--out', file];
    expect(await sweepCommand(reordered)).toBe(0);
    const log = err.join('');
    expect(log).toContain(`4 already in ${file}, 8 to run`);
    expect(log).toContain('ignoring the cut-off last line');
    expect(log.match(/^\[\d+\/8\] /gm)).toHaveLength(8);
    const second = lines(file);
    expect(second.slice(0, 4)).toEqual(first.slice(0, 4));
    expect(second).toHaveLength(12);
    expect(ids(file).sort()).toEqual(gridIds().sort());

    // Nothing left: nothing runs, no backend is opened, the file stays as it is.
    err.length = out.length = 0;
    expect(await sweepCommand([...PROBLEM, ...GRID, '--out', file])).toBe(0);
    expect(err.join('')).toBe(`sweep: 12 runs in the grid; 12 already in ${file}, 0 to run\n`);
    expect(lines(file)).toEqual(second);
    expect(out.join('')).toMatch(/^12 runs/);
  });

  it('rejects bad input with one line naming the flag, before anything runs or is written', async () => {
    const dir = tmp();
    const file = join(dir, 'runs.jsonl');
    const cases: [string[], RegExp, Record<string, string>?][] = [
      [['--grid', 'm=0..4'], /^--grid m=0\.\.4: --m \(m\) must be an integer from 1/],
      [['--grid', 'm=2,4', '--m', '4'], /^--grid m=2,4: --m \(m\) is also given as a fixed flag/],
      [['--grid', 'm=2', '--save-tensors'], /^--save-tensors is a train flag/],
      [['--grid', 'm=2', '--shard', '3/3'], /^--shard must be i\/N with 0 ≤ i < N/],
      [['--grid', 'm=2', '--eta-w', '-1'], /^--eta-w \(etaW\) must be a finite number ≥ 0 or auto/],
      [['--grid', 'labels=sign,file:y.npy'], /^--labels \(labels\) file:<path> is not supported by sweep/],
      [['--grid', 'm=2'], /^JOB_COMPLETION_INDEX=1 is set/, { JOB_COMPLETION_INDEX: '1' }],
      [['--grid', 'm=2', '--bogus', '1'], /^unknown flag --bogus/],
      [['--grid'], /^--grid needs a value$/],
      // Found for every grid point before the first (m = 2) runs.
      [['--grid', 'm=2,2000000000'], /^grid point m=2000000000: --m \(m\) too large: the CPU reference needs \d+\.\d GiB/],
    ];
    for (const [args, message, env = {}] of cases) {
      Object.entries(env).forEach(([k, v]) => vi.stubEnv(k, v));
      const done = sweepCommand([...PROBLEM, '--out', file, ...args]);
      await expect(done, args.join(' ')).rejects.toThrow(ConfigError);
      await expect(done, args.join(' ')).rejects.toThrow(message);
      expect(existsSync(file)).toBe(false);
      vi.unstubAllEnvs();
    }
    await expect(sweepCommand([...PROBLEM, '--grid', 'm=2'])).rejects.toThrow(/^--out FILE\.jsonl is required/);

    // A file that is not a sweep's is left alone.
    writeFileSync(file, '{"id":"x"}\nnot json\n');
    await expect(sweepCommand([...PROBLEM, '--grid', 'm=2', '--out', file])).rejects.toThrow(/^--out .*runs\.jsonl: line 1 is not a sweep record \(no settings/);
    expect(readFileSync(file, 'utf8')).toBe('{"id":"x"}\nnot json\n');
    await expect(mergeCommand([join(dir, 'm.jsonl'), join(dir, 'missing.jsonl')])).rejects.toThrow(/^merge input .*missing\.jsonl: cannot read it \(ENOENT\)$/);
    await expect(mergeCommand([join(dir, 'm.jsonl')])).rejects.toThrow(/^merge needs OUT\.jsonl and at least one input/);
    expect(existsSync(join(dir, 'm.jsonl'))).toBe(false);
  });

  it('prints its help', async () => {
    expect(await sweepCommand(['--help'])).toBe(0);
    expect(await mergeCommand(['-h'])).toBe(0);
    expect(out.join('')).toMatch(/^usage: shallow-gd sweep --grid KEY=VALUES[^]*^usage: shallow-gd merge OUT\.jsonl IN\.jsonl/m);
  });
});
