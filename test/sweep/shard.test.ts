import { describe, expect, it } from 'vitest';
import { parseShard, resolveShard, shardPath } from '../../src/sweep/shard';

describe('shards', () => {
  const none = {};
  it('takes an explicit --shard over the environment', () => {
    expect(resolveShard({ shard: '2/5' }, { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '3' })).toEqual({ index: 2, count: 5 });
    expect(resolveShard({}, none)).toEqual({ index: 0, count: 1 });
    for (const bad of ['5/5', '1/0', '-1/4', '1', 'a/b'])
      expect(() => parseShard(bad), bad).toThrow(/^--shard must be i\/N with 0 ≤ i < N/);
  });

  it('reads Slurm job arrays, 1-based and stepped, and refuses irregular ones', () => {
    const slurm = (id: number, min: number, max: number, count: number, step?: number) => ({
      SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_MIN: String(min), SLURM_ARRAY_TASK_MAX: String(max),
      SLURM_ARRAY_TASK_COUNT: String(count), ...(step ? { SLURM_ARRAY_TASK_STEP: String(step) } : {}),
    });
    expect(resolveShard({}, slurm(3, 0, 7, 8))).toEqual({ index: 3, count: 8 });
    expect(resolveShard({}, slurm(1, 1, 10, 10))).toEqual({ index: 0, count: 10 });
    expect(resolveShard({}, slurm(4, 0, 6, 4, 2))).toEqual({ index: 2, count: 4 });
    // --array=1,3,7: three tasks, and no step that maps them onto 0..2.
    expect(() => resolveShard({}, slurm(3, 1, 7, 3))).toThrow(/is not a range a-b or a-b:s: give --shard i\/N/);
    expect(() => resolveShard({}, { SLURM_ARRAY_TASK_ID: '2' })).toThrow(/SLURM_ARRAY_TASK_MIN is not/);
  });

  it('reads a Kubernetes Indexed Job with --shard-count', () => {
    expect(resolveShard({ shardCount: '4' }, { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 3, count: 4 });
    expect(() => resolveShard({}, { JOB_COMPLETION_INDEX: '3' })).toThrow(/^JOB_COMPLETION_INDEX=3 is set .*give --shard-count N/);
    expect(() => resolveShard({ shardCount: '3' }, { JOB_COMPLETION_INDEX: '3' })).toThrow(/from 0 to 2 for --shard-count 3/);
    expect(() => resolveShard({ shardCount: '4' }, none)).toThrow(/^--shard-count goes with JOB_COMPLETION_INDEX .*which is not set/);
    expect(() => resolveShard({ shard: '0/4', shardCount: '4' }, none)).toThrow(/give one of them/);
  });

  it('names each shard its own file', () => {
    expect(shardPath('out/runs.jsonl', { index: 2, count: 8 })).toBe('out/runs.shard-2-of-8.jsonl');
    expect(shardPath('runs.txt', { index: 0, count: 2 })).toBe('runs.txt.shard-0-of-2');
    expect(shardPath('runs.jsonl', { index: 0, count: 1 })).toBe('runs.jsonl');
  });
});
