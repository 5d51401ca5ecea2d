// The command line end to end, through the bundle that `npm test` builds (npm run build:cli).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gpu } from '../support/gpu';
import { resolveConfig } from '../../src/config/resolve';
import { buildConfig } from '../../src/config/schema';
import { decodeNpy, encodeNpy } from '../../src/io/npy';
import { initialState } from '../../src/reference/init';
import { backwardUpdate } from '../../src/reference/backward_update';
import { forward } from '../../src/reference/forward';
import { loss } from '../../src/reference/loss';
import { residual } from '../../src/reference/residual';

const BIN = join(__dirname, '../../bin/shallow-gd.mjs');

function cli(args: string[], env: Record<string, string> = {}) {
  if (!existsSync(join(__dirname, '../../dist-cli/main.js'))) throw new Error('dist-cli/main.js missing: run `npm run build:cli` (npm test does)');
  const p = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 170_000 });
  return { code: p.status, out: p.stdout, err: p.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'shallow-gd-test-'));
const npy = (dir: string, name: string) => decodeNpy(readFileSync(join(dir, `${name}.npy`)));

describe('shallow-gd train', () => {
  it('writes config, metrics, summary and .npy tensors that replay the run', async () => {
    const out = join(tmp(), 'run');
    // Rates well inside the stable range, so that float32 and float64 trajectories stay close.
    const r = cli(['train', '--backend', 'webgpu', '--n', '64', '--d', '8', '--m', '64', '--steps', '500', '--rate-factor', '0.25', '--save-tensors', '--out', out]);
    // The adapter this process gets is the one the command got, with the note exactly when it is a software one.
    const { info } = await gpu();
    expect(/^backend: (.*)$/m.exec(r.err)?.[1]).toBe(`${info.name}${info.software ? ' (software adapter: timings are not GPU figures)' : ''}`);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^outcome /m);
    expect(readdirSync(out).sort()).toEqual(['W.npy', 'W0.npy', 'X.npy', 'a.npy', 'a0.npy', 'config.json', 'metrics.csv', 'summary.json', 'y.npy']);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ n: 64, d: 8, m: 64, seed: 1, outputScale: 1, preset: 'razborov' });
    expect(config.etaW).toBeGreaterThan(0);
    expect(config.etaA).toBeGreaterThan(0);
    const csv = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv[0].startsWith('step,loss,loss_ratio,rel_move_w,rel_move_a,max_neuron_move,flip_frac,dead_frac')).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(csv[csv.length - 1].split(',')[0]).toBe(String(summary.steps_done));

    const X = npy(out, 'X'), y = npy(out, 'y'), W0 = npy(out, 'W0'), a0 = npy(out, 'a0'), W = npy(out, 'W');
    expect([X.shape, y.shape, W0.shape, a0.shape, W.shape]).toEqual([[64, 8], [64], [64, 8], [64], [64, 8]]);
    // Replay in float64 from the saved initial state and the recorded rates.
    const Wr = W0.data.slice(), ar = a0.data.slice();
    for (let t = 0; t < summary.steps_done; t++) {
      const res = residual(forward(X.data, Wr, ar, 64, 8, 64, config.outputScale), y.data);
      backwardUpdate(X.data, Wr, ar, res, 64, 8, 64, config.outputScale, config.etaW, config.etaA);
    }
    const L = loss(residual(forward(X.data, Wr, ar, 64, 8, 64, config.outputScale), y.data));
    expect(Math.abs(L - summary.final.loss) / summary.final.loss).toBeLessThan(1e-3);
    expect(summary.final.loss_ratio).toBeLessThan(0.05);
  });

  it('with --backend auto, passes over a software adapter (the float64 reference is faster on one)', async () => {
    const { info } = await gpu();
    const r = cli(['train', '--n', '16', '--d', '4', '--m', '8', '--steps', '20']);
    expect(r.code).toBe(0);
    expect(/^backend: (.*)$/m.exec(r.err)?.[1]).toBe(info.software ? 'float64 CPU reference' : info.name);
    if (info.software) expect(r.err).toMatch(/^notice: only a software WebGPU adapter .*float64 CPU reference, which is faster here/m);
  });

  it('prints the summary as JSON with --json, and trains on labels from a .npy file', () => {
    const dir = tmp();
    const labels = join(dir, 'y.npy');
    writeFileSync(labels, encodeNpy(Float32Array.from({ length: 16 }, (_, i) => Math.sin(i)), [16]));
    const r = cli(['train', '--backend', 'cpu', '--n', '16', '--d', '4', '--m', '32', '--steps', '50', '--labels', `file:${labels}`, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.backend).toEqual({ kind: 'cpu', name: 'float64 CPU reference', software: true });
    const y = Float64Array.from({ length: 16 }, (_, i) => Math.fround(Math.sin(i)));
    const c = resolveConfig(buildConfig({ n: 16, d: 4, m: 32 }));
    const st = initialState(c, y);
    expect(s.loss0).toBeCloseTo(loss(residual(forward(st.X, st.W, st.a, 16, 4, 32, 1), y)), 12);
    expect(s.steps_done).toBe(50);
  });

  it('rejects bad input with one line naming the flag, exit code 2, before writing anything', () => {
    const cases: [string[], RegExp][] = [
      [['--n', '0'], /^shallow-gd: --n \(n\) must be an integer from 1 to /],
      [['--m', 'many'], /^shallow-gd: --m \(m\) must be an integer/],
      [['--eta-w', '-1'], /^shallow-gd: --eta-w \(etaW\) must be a finite number ≥ 0 or auto; got "-1"/],
      [['--eta-a', 'NaN'], /^shallow-gd: --eta-a \(etaA\)/],
      [['--preset', 'lazy'], /^shallow-gd: --preset \(preset\) must be one of /],
      [['--labels', 'bogus'], /^shallow-gd: --labels \(labels\) must be sign, gaussian/],
      [['--labels', 'file:/no/such/y.npy'], /^shallow-gd: --labels \(labels\) file:\/no\/such\/y.npy: cannot read it \(ENOENT\)/],
      [['--widht', '3'], /^shallow-gd: unknown flag --widht/],
      [['--backend', 'tpu'], /^shallow-gd: --backend must be one of auto, webgpu, cpu/],
      [['--save-tensors'], /^shallow-gd: --save-tensors needs --out DIR/],
    ];
    for (const [args, message] of cases) {
      const r = cli(['train', ...(args.includes('--backend') ? [] : ['--backend', 'cpu']), ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(message);
    }
    const out = tmp();
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const r = cli(['train', '--backend', 'cpu', '--steps', '5', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is not empty: choose an empty folder or add --force/);
    expect(readdirSync(out)).toEqual(['notes.txt']);
    expect(cli(['train', '--backend', 'cpu', '--steps', '5', '--out', out, '--force']).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['config.json', 'metrics.csv', 'notes.txt', 'summary.json']);
  });

  it('exits 4 on divergence with a suggested rate, and 3 when --backend webgpu finds no adapter', () => {
    const d = cli(['train', '--n', '32', '--d', '4', '--m', '32', '--steps', '500', '--eta-w', '10', '--eta-a', '10']);
    expect(d.code).toBe(4);
    expect(d.out).toMatch(/DIVERGED at step \d+; retry with --eta-w [\d.e-]+ --eta-a [\d.e-]+$/m);
    expect(d.out).toMatch(/^advice +λ_max\(H\) ≤ [\d.e+]+ at initialization \(λ_W by rough estimate, λ_a by rough estimate\); each trained layer's rate at most halved and at most an equal share of 0\.1 bring it to ≤ [\d.e+]+ \(stable below 2\)$/m);
    const none = cli(['train', '--backend', 'webgpu', '--steps', '5'], { VK_ICD_FILENAMES: '/nonexistent/icd.json' });
    expect(none.code).toBe(3);
    expect(none.err).toMatch(/no WebGPU adapter found/);
  });
});

describe('shallow-gd, every command', () => {
  /** One line on stderr, nothing on stdout, exit 2. */
  const refused = (args: string[], message: RegExp) => {
    const r = cli(args);
    expect(r.code, args.join(' ')).toBe(2);
    expect(r.out, args.join(' ')).toBe('');
    expect(r.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
    expect(r.err.trim(), args.join(' ')).toMatch(message);
  };

  it('refuses an unknown command, a stray word, an unknown or repeated flag: one line, exit 2', () => {
    refused([], /^shallow-gd: a command is needed: shallow-gd train\|sweep\|merge\|bench\|experiments /);
    refused(['trian', '--n', '8'], /^shallow-gd: unknown command "trian": the commands are train, sweep, merge, bench, experiments$/);
    for (const command of ['train', 'sweep', 'merge', 'bench', 'experiments'])
      refused([command, '--bogus=1'], new RegExp(`^shallow-gd: unknown flag --bogus \\(see shallow-gd ${command} --help\\)$`));
    for (const command of ['train', 'sweep', 'bench', 'experiments'])
      refused([command, 'now'], new RegExp(`^shallow-gd: unexpected argument "now" \\(see shallow-gd ${command} --help\\)$`));
    refused(['train', '--steps', '5', '--steps=6'], /^shallow-gd: --steps is given more than once: give it once$/);
    refused(['bench', '--sizes=8x4'], /^shallow-gd: --sizes: "8x4" is not NxDxM/);
  });

  it('prints each command\'s help; train\'s names the presets', () => {
    const usage = cli(['--help']);
    expect(usage.code).toBe(0);
    expect(usage.out).toMatch(/^usage: shallow-gd train\|sweep\|merge\|bench\|experiments /);
    for (const command of ['train', 'sweep', 'merge', 'bench', 'experiments']) {
      const r = cli([command, '--help']);
      expect(r.code, command).toBe(0);
      expect(r.out, command).toMatch(new RegExp(`^usage: shallow-gd ${command} `));
    }
    const train = cli(['train', '-h']).out;
    expect(train).toMatch(/^ {2}oymak-soltanolkotabi {2}first layer only \(etaA = 0\): --param standard --eta-w auto --eta-a 0 /m);
    expect(train).toMatch(/^ {2}--spectrum .*\[false\]$/m);
  });
});
