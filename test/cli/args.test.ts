// The one command-line parser, called directly for every subcommand (no process spawned).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../src/cli/bench';
import { parseExperimentsArgs } from '../../src/cli/experiments';
import { parseMergeArgs, parseSweepArgs } from '../../src/cli/sweep';
import { parseTrainArgs, trainHelp } from '../../src/cli/train_args';
import { parseSizes } from '../../src/bench/bench';
import { ConfigError, PRESETS, SETTINGS, buildConfig, settingByKey } from '../../src/config/schema';

/** Each subcommand's parser, by name. */
const PARSERS: Record<string, (argv: string[]) => unknown> = {
  train: parseTrainArgs, sweep: parseSweepArgs, merge: parseMergeArgs, bench: parseBenchArgs, experiments: parseExperimentsArgs,
};

function fails(parse: (argv: string[]) => unknown, argv: string[], message: string) {
  let error: unknown;
  try {
    parse(argv);
  } catch (e) {
    error = e;
  }
  expect(error, argv.join(' ')).toBeInstanceOf(ConfigError);
  expect((error as Error).message, argv.join(' ')).toBe(message);
}

describe('every subcommand', () => {
  it('takes --flag value and --flag=value alike', () => {
    const cases: [string, string[], string[]][] = [
      ['train', ['--n', '8', '--eta-w', '0.5', '--backend', 'cpu', '--kernel', 'backward=simple', '--out', 'run'],
        ['--n=8', '--eta-w=0.5', '--backend=cpu', '--kernel=backward=simple', '--out=run']],
      ['sweep', ['--grid', 'm=2,4', '--out', 'runs.jsonl', '--shard', '1/3', '--shard-count', '3', '--steps', '30', '--backend', 'webgpu'],
        ['--grid=m=2,4', '--out=runs.jsonl', '--shard=1/3', '--shard-count=3', '--steps=30', '--backend=webgpu']],
      ['bench', ['--sizes', '64x16x256', '--max-step-seconds', '0.5', '--kernel', 'forward=tiled', '--json', 'b.json', '--md', 'b.md'],
        ['--sizes=64x16x256', '--max-step-seconds=0.5', '--kernel=forward=tiled', '--json=b.json', '--md=b.md']],
      ['experiments', ['--backend', 'cpu', '--out', 'somewhere'], ['--backend=cpu', '--out=somewhere']],
    ];
    for (const [command, spaced, joined] of cases) expect(PARSERS[command](joined), command).toEqual(PARSERS[command](spaced));
    expect(parseTrainArgs(cases[0][2])).toMatchObject({ given: { n: '8', etaW: '0.5' }, backend: 'cpu', kernel: { backward: 'simple' }, out: 'run' });
    expect(parseSweepArgs(cases[1][2])).toMatchObject({ grid: ['m=2,4'], out: 'runs.jsonl', shard: '1/3', shardCount: '3', given: { steps: '30' }, backend: 'webgpu' });
    expect(parseBenchArgs(cases[2][2])).toMatchObject({
      sizes: [{ n: 64, d: 16, m: 256 }], options: { maxStepSeconds: 0.5, kernel: { forward: 'tiled' } }, json: 'b.json', md: 'b.md',
    });
    expect(parseExperimentsArgs(cases[3][2])).toEqual({ size: 'default', backend: 'cpu', workers: availableParallelism(), out: 'somewhere', force: false, help: false });
    // merge has switches only, between its files.
    expect(parseMergeArgs(['all.jsonl', '--force', 'a.jsonl', '--json', 'b.jsonl'])).toEqual({ files: ['all.jsonl', 'a.jsonl', 'b.jsonl'], force: true, json: true, help: false });
  });

  it('fills in the defaults', () => {
    expect(parseTrainArgs([])).toEqual({ given: {}, backend: 'auto', kernel: {}, saveTensors: false, force: false, json: false, help: false });
    expect(parseSweepArgs([])).toMatchObject({ given: {}, grid: [], backend: 'auto', json: false });
    expect(parseExperimentsArgs([])).toEqual({ size: 'default', backend: 'auto', workers: availableParallelism(), out: 'reports', force: false, help: false });
    const bench = parseBenchArgs([]);
    expect(bench.sizes).toHaveLength(66);
    expect(bench.options).toMatchObject({ maxStepSeconds: 2, targetSeconds: 0.2 });
    expect(Object.keys(bench.options.peers!)).toEqual(['tfjs']);
    expect(parseBenchArgs(['--no-tfjs']).options.peers).toEqual({});
  });

  it('prints help for --help and -h', () => {
    for (const [command, parse] of Object.entries(PARSERS)) {
      expect(parse(['--help']), command).toMatchObject({ help: true });
      expect(parse(['-h']), command).toMatchObject({ help: true });
    }
  });

  it('refuses an unknown flag, naming it and pointing at the help', () => {
    for (const [command, parse] of Object.entries(PARSERS)) {
      fails(parse, ['--bogus', '1'], `unknown flag --bogus (see shallow-gd ${command} --help)`);
      fails(parse, ['--bogus=1'], `unknown flag --bogus (see shallow-gd ${command} --help)`);
      fails(parse, ['-x'], `unknown flag -x (see shallow-gd ${command} --help)`);
    }
    // A config flag is train's and sweep's only, and never a short option.
    fails(parseTrainArgs, ['-m', '4'], 'unknown flag -m (see shallow-gd train --help)');
    fails(parseExperimentsArgs, ['--m', '4'], 'unknown flag --m (see shallow-gd experiments --help)');
    fails(parseBenchArgs, ['--n', '4'], 'unknown flag --n (see shallow-gd bench --help)');
  });

  it('refuses a stray word, except merge, whose words are its files', () => {
    for (const command of ['train', 'sweep', 'bench', 'experiments'])
      fails(PARSERS[command], ['--help', 'tiny'], `unexpected argument "tiny" (see shallow-gd ${command} --help)`);
    fails(parseTrainArgs, ['--n', '8', '16'], 'unexpected argument "16" (see shallow-gd train --help)');
    // After --, everything is a positional.
    fails(parseTrainArgs, ['--', '--n'], 'unexpected argument "--n" (see shallow-gd train --help)');
    expect(parseMergeArgs(['out.jsonl', '--', '--odd-name.jsonl']).files).toEqual(['out.jsonl', '--odd-name.jsonl']);
  });

  it('refuses a repeated flag, naming it; --grid repeats', () => {
    fails(parseTrainArgs, ['--m', '4', '--m=8'], '--m is given more than once: give it once');
    fails(parseTrainArgs, ['--json', '--json'], '--json is given more than once: give it once');
    fails(parseTrainArgs, ['--spectrum', '--spectrum=false'], '--spectrum is given more than once: give it once');
    fails(parseSweepArgs, ['--out', 'a.jsonl', '--out', 'b.jsonl'], '--out is given more than once: give it once');
    fails(parseMergeArgs, ['o', 'i', '--force', '--force'], '--force is given more than once: give it once');
    fails(parseBenchArgs, ['--sizes', '8x4x16', '--sizes=8x4x32'], '--sizes is given more than once: give it once');
    fails(parseExperimentsArgs, ['--tiny', '--tiny'], '--tiny is given more than once: give it once');
    expect(parseSweepArgs(['--grid', 'm=2..16:x2', '--grid=seed=1..3', '--grid', 'labels=sign,gaussian']).grid).toEqual(['m=2..16:x2', 'seed=1..3', 'labels=sign,gaussian']);
  });

  it('refuses a value flag without its value, and a switch with one', () => {
    fails(parseTrainArgs, ['--out'], '--out needs a value');
    fails(parseTrainArgs, ['--out='], '--out needs a value');
    // Not --out "--force": the value was forgotten.
    fails(parseTrainArgs, ['--out', '--force'], '--out needs a value');
    fails(parseTrainArgs, ['--n'], '--n needs a value');
    fails(parseSweepArgs, ['--grid'], '--grid needs a value');
    fails(parseBenchArgs, ['--sizes'], '--sizes needs a value');
    fails(parseExperimentsArgs, ['--out'], '--out needs a value');
    fails(parseTrainArgs, ['--force=yes'], '--force takes no value');
    fails(parseMergeArgs, ['--json=true'], '--json takes no value');
    fails(parseBenchArgs, ['--quick=1'], '--quick takes no value');
    fails(parseExperimentsArgs, ['--tiny=no'], '--tiny takes no value');
  });

  it('checks each command\'s own values before any work', () => {
    for (const command of ['train', 'sweep', 'experiments'])
      fails(PARSERS[command], ['--backend=tpu'], '--backend must be one of auto, webgpu, cpu; got "tpu"');
    expect(() => parseTrainArgs(['--kernel', 'backward=fast'])).toThrow(/^--kernel must be kernel=variant with .*; got "backward=fast"$/);
    fails(parseBenchArgs, ['--sizes=8x4'], '--sizes: "8x4" is not NxDxM (e.g. 1024x128x16384) or NxDx2^a..2^b');
    fails(parseBenchArgs, ['--max-step-seconds', '0'], '--max-step-seconds must be a number > 0');
    fails(parseExperimentsArgs, ['--full', '--tiny'], '--tiny and --full exclude each other');
    fails(parseSweepArgs, ['--save-tensors'], '--save-tensors is a train flag: sweep writes one JSON line per run to --out FILE');
    fails(parseSweepArgs, ['--kernel', 'backward=simple'], '--kernel is a train flag: sweep runs the kernels chosen per adapter');
    // A negative number is a value, for the schema to judge.
    expect(parseTrainArgs(['--eta-w', '-1']).given).toEqual({ etaW: '-1' });
    expect(() => buildConfig(parseTrainArgs(['--eta-w', '-1']).given)).toThrow('--eta-w (etaW) must be a finite number ≥ 0 or auto; got "-1"');
  });

  it('reads bench --quick as a tiny grid, whatever the order, with --sizes and --max-step-seconds winning', () => {
    const quick = parseBenchArgs(['--quick']);
    expect(quick.sizes).toEqual(parseSizes('64x16x2^8..2^10'));
    expect(quick.options).toMatchObject({ targetSeconds: 0.02, maxStepSeconds: 1 });
    for (const argv of [['--quick', '--sizes', '8x4x16', '--max-step-seconds=3'], ['--max-step-seconds=3', '--sizes', '8x4x16', '--quick']]) {
      const b = parseBenchArgs(argv);
      expect(b.sizes, argv.join(' ')).toEqual([{ n: 8, d: 4, m: 16 }]);
      expect(b.options, argv.join(' ')).toMatchObject({ targetSeconds: 0.02, maxStepSeconds: 3 });
    }
    expect(parseExperimentsArgs(['--tiny']).size).toBe('tiny');
    expect(parseExperimentsArgs(['--full', '--force']).size).toBe('full');
  });
});

describe('true/false settings', () => {
  const config = (argv: string[]) => buildConfig(parseTrainArgs(argv).given);

  it('are true given bare, without taking the next flag as their value', () => {
    const args = parseTrainArgs(['--spectrum', '--linearized', '--n', '8', '--stop-at-eps', '--json']);
    expect(args.given).toEqual({ spectrum: 'true', linearized: 'true', n: '8', stopAtEps: 'true' });
    expect(args.json).toBe(true);
    expect(config(['--spectrum', '--linearized'])).toMatchObject({ spectrum: true, linearized: true });
    expect(parseSweepArgs(['--spectrum', '--grid', 'm=2']).grid).toEqual(['m=2']);
  });

  it('take =true, =false, or true and false as the next word', () => {
    expect(config(['--spectrum=false', '--linearized=true', '--stop-at-eps=false'])).toMatchObject({ spectrum: false, linearized: true, stopAtEps: false });
    expect(config(['--spectrum', 'true', '--stop-at-eps', 'false', '--n', '8'])).toMatchObject({ spectrum: true, stopAtEps: false, n: 8 });
    expect(() => config(['--spectrum=maybe'])).toThrow('--spectrum (spectrum) must be true or false; got "maybe"');
    fails(parseTrainArgs, ['--spectrum', 'maybe'], 'unexpected argument "maybe" (see shallow-gd train --help)');
  });

  it('read the bit fixtures\' commands as before', () => {
    const dir = join(__dirname, '../fixtures/bits');
    const commands = readdirSync(dir).filter((run) => existsSync(join(dir, run, 'command.txt')))
      .map((run) => readFileSync(join(dir, run, 'command.txt'), 'utf8').trim().split(/\s+/));
    expect(commands.length).toBeGreaterThanOrEqual(10);
    const instruments = commands.find((c) => c.includes('--spectrum=true'))!;
    expect(instruments[0]).toBe('train');
    const args = parseTrainArgs(instruments.slice(1));
    expect(args).toMatchObject({ saveTensors: true, json: true, out: 'DIR', given: { spectrum: 'true', linearized: 'true', n: '32', logEvery: '25' } });
    expect(buildConfig(args.given)).toMatchObject({ spectrum: true, linearized: true, n: 32, d: 8, m: 64, steps: 300, seed: 3 });
    for (const c of commands) expect(() => parseTrainArgs(c.slice(1)), c.join(' ')).not.toThrow();
  });
});

describe('train --help', () => {
  const help = trainHelp();

  it('lists every config flag with its default', () => {
    for (const s of SETTINGS) expect(help).toMatch(new RegExp(`^ {2}--${s.flag} .*\\[[^\\]]+\\]$`, 'm'));
    expect(help).toMatch(/^ {2}--labels .*\[sign\]$/m);
    expect(help).toMatch(/^ {2}--backend .*\[auto\]$/m);
  });

  it('names every preset and the settings it sets', () => {
    const lines = help.split('\n');
    for (const [name, p] of Object.entries(PRESETS)) {
      const line = lines.find((l) => l.startsWith(`  ${name} `));
      expect(line, name).toContain(`${p.help}: `);
      for (const [key, v] of Object.entries(p.values)) expect(line, `${name} ${key}`).toContain(`--${settingByKey(key)!.flag} ${v}`);
    }
    expect(help).toMatch(/^ {2}du .*: --param ntk --eta-w auto --eta-a 0 --output-init sign --data sphere$/m);
    expect(help).toMatch(/^ {2}random-features .*: --param standard --eta-w 0 --eta-a auto /m);
  });
});
