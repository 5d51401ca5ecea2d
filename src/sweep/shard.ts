// Which part of a sweep this process runs: shard i of N takes the runs whose index in the grid
// is i modulo N, so that N processes (a Slurm job array, a Kubernetes Indexed Job) cover the
// grid exactly once, each writing its own file.
import { ConfigError } from '../config/schema';

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

export const WHOLE: Shard = { index: 0, count: 1 };

const UINT = /^\d+$/;

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!(count >= 1 && index < count)) throw new ConfigError('shard', `--shard must be i/N with 0 ≤ i < N (i is 0-based), e.g. 0/4; got ${JSON.stringify(text)}`);
  return { index, count };
}

function envInt(env: NodeJS.ProcessEnv, name: string, fallback?: number): number {
  const v = env[name];
  if (v === undefined || v === '') {
    if (fallback !== undefined) return fallback;
    throw new ConfigError('shard', `SLURM_ARRAY_TASK_ID is set but ${name} is not: give --shard i/N`);
  }
  if (!UINT.test(v)) throw new ConfigError('shard', `${name} must be a non-negative integer; got ${JSON.stringify(v)} (or give --shard i/N)`);
  return Number(v);
}

/**
 * The shard to run. An explicit --shard i/N wins. Otherwise a Kubernetes Indexed Job gives i
 * as JOB_COMPLETION_INDEX; Kubernetes does not expose the Job's completion count to the pod,
 * so N comes from --shard-count (a flag rather than another variable: it sits in the Job's
 * args beside the rest of the command). Otherwise a Slurm job array gives
 * i = (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP and
 * N = SLURM_ARRAY_TASK_COUNT, so arrays such as 1-10 or 0-30:2 work. Without any, the whole grid.
 */
export function resolveShard(flags: { shard?: string; shardCount?: string }, env: NodeJS.ProcessEnv): Shard {
  if (flags.shard !== undefined) {
    if (flags.shardCount !== undefined)
      throw new ConfigError('shard-count', '--shard-count goes with JOB_COMPLETION_INDEX; --shard i/N already gives N: give one of them');
    return parseShard(flags.shard);
  }
  const k8s = env.JOB_COMPLETION_INDEX;
  if (k8s !== undefined && k8s !== '') {
    if (flags.shardCount === undefined)
      throw new ConfigError('shard-count', `JOB_COMPLETION_INDEX=${k8s} is set (a Kubernetes Indexed Job): give --shard-count N, the Job's completions, or --shard i/N`);
    if (!UINT.test(flags.shardCount) || Number(flags.shardCount) < 1)
      throw new ConfigError('shard-count', `--shard-count must be an integer ≥ 1; got ${JSON.stringify(flags.shardCount)}`);
    const count = Number(flags.shardCount);
    if (!UINT.test(k8s) || Number(k8s) >= count)
      throw new ConfigError('shard-count', `JOB_COMPLETION_INDEX must be an integer from 0 to ${count - 1} for --shard-count ${count}; got ${JSON.stringify(k8s)}`);
    return { index: Number(k8s), count };
  }
  if (flags.shardCount !== undefined)
    throw new ConfigError('shard-count', '--shard-count goes with JOB_COMPLETION_INDEX (a Kubernetes Indexed Job), which is not set: give --shard i/N');
  if (env.SLURM_ARRAY_TASK_ID === undefined || env.SLURM_ARRAY_TASK_ID === '') return WHOLE;
  const id = envInt(env, 'SLURM_ARRAY_TASK_ID');
  const min = envInt(env, 'SLURM_ARRAY_TASK_MIN');
  const max = envInt(env, 'SLURM_ARRAY_TASK_MAX');
  const step = envInt(env, 'SLURM_ARRAY_TASK_STEP', 1);
  const count = envInt(env, 'SLURM_ARRAY_TASK_COUNT');
  const index = (id - min) / step;
  // An irregular array (--array=1,2,7) would leave shards unrun: refuse it in every task.
  if (step < 1 || (max - min) / step + 1 !== count || !Number.isInteger(index) || index < 0 || index >= count)
    throw new ConfigError('shard',
      `the Slurm array (SLURM_ARRAY_TASK_ID=${id}, MIN=${min}, MAX=${max}, STEP=${step}, COUNT=${count}) is not a range a-b or a-b:s: give --shard i/N`);
  return { index, count };
}

export function inShard(runIndex: number, shard: Shard): boolean {
  return runIndex % shard.count === shard.index;
}

/** runs.jsonl → runs.shard-2-of-8.jsonl: shards never write the same file, and merge can glob them. */
export function shardPath(out: string, shard: Shard): string {
  if (shard.count === 1) return out;
  const tag = `.shard-${shard.index}-of-${shard.count}`;
  return out.endsWith('.jsonl') ? `${out.slice(0, -'.jsonl'.length)}${tag}.jsonl` : `${out}${tag}`;
}
