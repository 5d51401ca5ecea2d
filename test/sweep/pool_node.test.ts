// The CPU pool through the built command: a sweep on two worker threads writes the same
// records as one thread (but for their timings), in whatever order the runs finish.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');

function sweep(out: string, workers: number) {
  if (!existsSync(join(ROOT, 'dist-cli/pool_worker.js'))) throw new Error('dist-cli/pool_worker.js missing: run `npm run build:cli` (npm test does)');
  const args = ['sweep', '--grid', 'm=8..32:x2', '--grid', 'seed=1..4', '--grid', 'labels=sign,gaussian', '--n', '16', '--d', '4', '--steps', '600',
    '--backend', 'cpu', '--workers', String(workers), '--out', out];
  return spawnSync(process.execPath, [join(ROOT, 'bin/shallow-gd.mjs'), ...args], { encoding: 'utf8', timeout: 120_000 });
}

const records = (path: string) => new Map(readFileSync(path, 'utf8').trim().split('\n').map((l) => {
  const { wall_seconds: _, ...r } = JSON.parse(l);
  return [r.id, r];
}));

describe('the CPU pool', () => {
  it('writes the records one worker writes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shallow-gd-pool-'));
    const one = sweep(join(dir, 'one.jsonl'), 1);
    const two = sweep(join(dir, 'two.jsonl'), 2);
    expect(one.status, one.stderr).toBe(0);
    expect(two.status, two.stderr).toBe(0);
    expect(two.stderr).toMatch(/^backend: float64 CPU reference, 2 worker threads$/m);
    const [a, b] = [records(join(dir, 'one.jsonl')), records(join(dir, 'two.jsonl'))];
    expect(a.size).toBe(24);
    expect(b).toEqual(a);
    // The same summary, whatever order the runs finished in.
    expect(two.stdout).toBe(one.stdout);
  });

  it('refuses a worker count that is not a whole number ≥ 1, before any run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shallow-gd-pool-'));
    const r = sweep(join(dir, 'x.jsonl'), 0);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('shallow-gd: --workers must be a whole number from 1 to 1024; got "0"');
    expect(existsSync(join(dir, 'x.jsonl'))).toBe(false);
  });
});
