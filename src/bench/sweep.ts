// `shallow-gd bench --sweep`: run-steps per second of the batched WebGPU engine over batch
// sizes and problem sizes, beside the single-run WebGPU engine and the float64 reference
// training the same runs one after another (the reference on one core), in the same process:
// where batching stops paying on an adapter is where its rows meet. Every run applies all its
// steps (no early stop, fixed stable rates), so run-steps are runs × steps. scripts/bench_sweep_cpu.py sets the
// CPU pool beside a NumPy peer batched over seeds; scripts/bench_torch.py --sweep PyTorch's bmm.
import { resolveConfig, type Resolved } from '../config/resolve';
import { ConfigError, buildConfig } from '../config/schema';
import { batchSchedule, batchWorkgroup, createBatchEngine, packBatches, unbatchable } from '../gpu/batch';
import type { BackendInfo } from '../model/engine';
import { prepareBatch, runBatchLoop } from '../train/batch';
import { createCpuTrainer, createGpuTrainer } from '../train/trainer';
import type { BenchSize } from './bench';

export interface SweepBenchRow extends BenchSize {
  /** `webgpu batched (resident)` or `(spread)` (its schedule), `webgpu single-run engine, one run at a time` or `float64 reference, one run at a time (1 core)`. */
  engine: string;
  runs: number;
  steps: number;
  seconds: number;
  runStepsPerSecond: number;
}

export interface SweepBenchReport {
  date: string;
  adapter: BackendInfo;
  rows: SweepBenchRow[];
}

/** The default problem sizes: the sweep of issue 13's targets and larger ones. */
export const SWEEP_SIZES: readonly BenchSize[] = [{ n: 32, d: 8, m: 32 }, { n: 64, d: 8, m: 32 }, { n: 128, d: 16, m: 128 }];

/** Batch sizes: a software adapter is a thousand times slower, so it gets the small ones. */
export function sweepBatches(info: BackendInfo): number[] {
  return info.software ? [1, 16, 128] : [1, 64, 1024, 4096, 16384];
}

/**
 * Runs of one size, seeds 1…count, all at the rates measured for seed 1 (rate factor 0.05, well
 * inside stability: measuring them per run would time the CPU's power iterations), no early
 * stop, no stability monitor (the peers have none): run-steps are runs × steps.
 */
async function configs(size: BenchSize, count: number, steps: number): Promise<Resolved[]> {
  const given = (seed: number) => resolveConfig(buildConfig({ ...size, seed, steps, stopAtEps: false, rateFactor: 0.05, logEvery: 0, sharpnessProducts: 0 }));
  const { etaW, etaA } = (await prepareBatch([given(1)])).states[0].c;
  return Array.from({ length: count }, (_, k) => {
    const c = given(k + 1);
    return { ...c, etaW, etaA, auto: { ...c.auto, etaW: false, etaA: false, shared: false } };
  });
}

/** Seconds the batched engine takes to train `cs` (initialization not counted). */
async function batchedSeconds(device: GPUDevice, info: BackendInfo, cs: readonly Resolved[]): Promise<number> {
  const { members, states } = await prepareBatch(cs);
  const engine = await createBatchEngine(device, info, members);
  try {
    // The kernel was compiled with the engine: the time is the runs' steps.
    const start = performance.now();
    await runBatchLoop(engine, states, members.map((m) => m.logged), () => {});
    return (performance.now() - start) / 1000;
  } finally {
    engine.dispose();
  }
}

/** Seconds the single-run engine takes to train `cs` one after another (each trainer made, its kernels compiled, before its clock starts). */
async function singleSeconds(device: GPUDevice, info: BackendInfo, cs: readonly Resolved[]): Promise<number> {
  let seconds = 0;
  for (const c of cs) {
    const trainer = await createGpuTrainer(device, info, c);
    try {
      const start = performance.now();
      await trainer.run();
      seconds += (performance.now() - start) / 1000;
    } finally {
      trainer.dispose();
    }
  }
  return seconds;
}

/**
 * `onProgress` gets the report so far after each row (the CLI writes it, so that a run stopped
 * by a time limit keeps its figures). A size the batched engine refuses on this device is a
 * ConfigError, before any work.
 */
export async function runSweepBench(
  device: GPUDevice, info: BackendInfo,
  o: { sizes?: readonly BenchSize[]; batches?: readonly number[]; steps?: number; log?: (line: string) => void; onProgress?: (r: SweepBenchReport) => void } = {},
): Promise<SweepBenchReport> {
  const steps = o.steps ?? (info.software ? 200 : 2000);
  const batches = o.batches ?? sweepBatches(info);
  const sizes = o.sizes ?? SWEEP_SIZES;
  for (const size of sizes) {
    const c = resolveConfig(buildConfig({ ...size }));
    const why = unbatchable(c, device.limits, info);
    if (why) throw new ConfigError('sizes', `--sizes ${size.n}x${size.d}x${size.m}: the batched engine takes no such run on this device (${why})`);
    // Each count is timed as one batch.
    const over = batches.find((runs) => packBatches(Array.from({ length: runs }, () => c), (x) => x, device.limits, batchWorkgroup(info)).length > 1);
    if (over !== undefined) throw new ConfigError('batches', `--batches ${over}: ${over} runs of ${size.n}x${size.d}x${size.m} do not fit one batch on this device (its binding or dispatch limits)`);
  }
  const date = new Date().toISOString();
  const rows: SweepBenchRow[] = [];
  const row = (size: BenchSize, engine: string, runs: number, seconds: number) => {
    rows.push({ ...size, engine, runs, steps, seconds, runStepsPerSecond: (runs * steps) / seconds });
    o.log?.(`${size.n}x${size.d}x${size.m}, ${engine}, ${runs} runs × ${steps} steps: ${seconds.toFixed(3)} s, ${Math.round((runs * steps) / seconds)} run-steps/s`);
    o.onProgress?.({ date, adapter: info, rows: [...rows] });
  };
  for (const size of sizes) {
    // The one-at-a-time engines: a few runs each (their rate per run does not depend on their number).
    const cpuRuns = 2;
    // Every row's runs, seed 1 first, made once (not in any timing).
    const all = await configs(size, Math.max(cpuRuns, ...batches), steps);
    const start = performance.now();
    for (const c of all.slice(0, cpuRuns)) await (await createCpuTrainer(c)).run();
    row(size, 'float64 reference, one run at a time (1 core)', cpuRuns, (performance.now() - start) / 1000);
    row(size, 'webgpu single-run engine, one run at a time', cpuRuns, await singleSeconds(device, info, all.slice(0, cpuRuns)));
    const schedule = batchSchedule(all[0], device.limits, batchWorkgroup(info));
    for (const runs of batches) row(size, `webgpu batched (${schedule})`, runs, await batchedSeconds(device, info, all.slice(0, runs)));
  }
  return { date, adapter: info, rows };
}

/** The report as a markdown table, with the adapter and its software note. */
export function sweepBenchMarkdown(r: SweepBenchReport): string {
  const note = r.adapter.software ? ' (software adapter: its figures are not GPU figures; compare them only as ratios within this table)' : '';
  return [
    `Sweep throughput on ${r.adapter.name}${note}, ${r.date}`,
    '',
    '| n | d | m | engine | runs | steps | seconds | run-steps/s |',
    '| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |',
    ...r.rows.map((x) => `| ${x.n} | ${x.d} | ${x.m} | ${x.engine} | ${x.runs} | ${x.steps} | ${x.seconds.toFixed(3)} | ${Math.round(x.runStepsPerSecond)} |`),
    '',
  ].join('\n');
}
