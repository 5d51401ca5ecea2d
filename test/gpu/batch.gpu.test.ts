import { describe, expect, it } from 'vitest';
import { resolveConfig, type Resolved } from '../../src/config/resolve';
import { buildConfig, type SettingKey } from '../../src/config/schema';
import { BATCH_MAX_STEP_WORK, batchMaxN, batchSchedule, batchStepWork, batchWorkgroup, monitorChunk, packBatches, unbatchable } from '../../src/gpu/batch';
import { trainBatches } from '../../src/train/batch';
import type { RunResult } from '../../src/train/run_loop';
import { createCpuTrainer, createGpuTrainer } from '../../src/train/trainer';
import { denseLambdaMax } from '../support/spectrum';
import { gpu } from '../support/gpu';

// Stable rates (rate factor 0.1): fp32 rounding differences stay at rounding size.
const config = (given: Partial<Record<SettingKey, unknown>>) =>
  resolveConfig(buildConfig({ n: 32, d: 8, m: 16, steps: 500, logEvery: 50, rateFactor: 0.1, ...given }));

interface Finished { config: Resolved; result: RunResult }

/** Each run's final config and result on the batched engine, trained in batches of at most maxRuns. */
async function batched(configs: readonly Resolved[], maxRuns?: number, maxStepsPerSubmit?: number, workgroup?: number, monitorChunk?: number): Promise<Finished[]> {
  const dev = await gpu();
  const out: Finished[] = [];
  await trainBatches(dev.device, dev.info, configs.map((c, key) => ({ key, c })), { maxRuns, maxStepsPerSubmit, workgroup, monitorChunk, onFinished: (key, config, result) => { out[key] = { config, result }; } });
  return out;
}

/** The config with its measured numbers given: nothing is measured again. */
const fixed = (c: Resolved): Resolved => ({ ...c, auto: { etaW: false, etaA: false, shared: false, steps: false } });

/** The run's rows as exact numbers (bits), step by step. */
const bits = (r: RunResult) => JSON.stringify(r.rows.map((row) => Object.values(row).map((v) => (Number.isNaN(v) ? 'NaN' : v))));

describe('batched engine', () => {
  it('trains like the float64 reference to fp32 rounding, and like the single-run engine on the same adapter, over 500 steps', async () => {
    const dev = await gpu();
    // Blocks of 4 samples or neurons per invocation at d ≤ 8, of 2 at d = 13, of 1 at d = 40 (layout.ts blockItems).
    const runs = [
      config({ seed: 1 }),
      config({ m: 64, seed: 2, labels: 'gaussian' }),
      config({ m: 21, d: 13, seed: 13 }),
      config({ m: 40, d: 7, seed: 3, labels: 'teacher:4' }),
      config({ m: 24, seed: 4, preset: 'nguyen', spectrum: true }),
      config({ m: 20, d: 40, seed: 14, steps: 200 }),
      // More monitor products than samples: its Krylov space is the whole space, so λ_max is exact.
      config({ n: 6, m: 8, seed: 15, sharpnessProducts: 10 }),
    ];
    // The adapter's workgroup size, and another one (on CPU drivers 4 or 8, a SIMD group; 64 on GPUs).
    const got = [...await batched(runs.slice(0, 3)), ...await batched(runs.slice(3), undefined, undefined, dev.info.software ? 64 : 16)];
    for (const [k, { config: measured, result }] of got.entries()) {
      // The batch's rates (measured on the reference at initialization), given as numbers.
      const c = fixed(measured);
      const reference = await (await createCpuTrainer(c)).run();
      const single = await createGpuTrainer(dev.device, dev.info, c);
      const gpuSingle = await single.run();
      single.dispose();
      for (const [want, what] of [[reference, 'reference'], [gpuSingle, 'single-run engine']] as const) {
        expect(result.outcome).toBe(want.outcome);
        expect(result.stepsDone).toBe(want.stepsDone);
        expect(result.rows.map((r) => r.step)).toEqual(want.rows.map((r) => r.step));
        want.rows.forEach((w, j) => {
          const g = result.rows[j];
          const at = `run ${k} against the ${what} at step ${w.step}`;
          expect(Math.abs(g.loss - w.loss) / w.loss, `${at}: loss`).toBeLessThan(1e-4);
          // Gradient norms and movements amplify the rounding of one sign decision near a kink: the
          // single-run engine's masked backward takes its signs from the forward pass, and a driver
          // that contracts multiply-adds (lavapipe) flips one the float64 reference does not
          // (run 0's gradient norm at step 200 there: 0.5% below the reference's, on both engines).
          for (const key of ['rel_move_w', 'rel_move_a', 'max_neuron_move', 'grad_norm'] as const)
            expect(Math.abs(g[key] - w[key]), `${at}: ${key}`).toBeLessThan(1e-2 * (Math.abs(w[key]) + 1e-4));
          // The drift is a difference of terms of its scale 1: fp32 knows it to about 1e-5.
          expect(Math.abs(g.conserved_drift - w.conserved_drift), `${at}: conserved_drift`).toBeLessThan(1e-2 * Math.abs(w.conserved_drift) + 1e-5);
          expect(g.dead_frac, `${at}: dead_frac`).toBe(w.dead_frac);
          // The stability monitor: Lanczos in each run's workgroup (float32), warm-started as a single
          // run's. 8 products from a warm start follow their own Krylov chain, so a state apart by
          // rounding reads a few % apart later (lavapipe's flipped sign at step 200: 2.9% at step 500);
          // the test below holds the closing records to the dense λ_max of their states.
          expect(Math.abs(g.sharpness - w.sharpness), `${at}: sharpness`).toBeLessThan(5e-2 * w.sharpness);
          expect(Math.abs(g.flip_frac - w.flip_frac), `${at}: flip_frac`).toBeLessThanOrEqual(2 / (c.n * c.m));
          if (c.spectrum) {
            // --spectrum: λ_min and λ_max of H_t by Lanczos on the batch's products, as on a single run's.
            for (const key of ['lambda_min', 'lambda_max'] as const)
              expect(Math.abs(g[key] - w[key]), `${at}: ${key}`).toBeLessThan(1e-4 * w.lambda_max);
            expect(w.lambda_min, `${at}: lambda_min`).toBeGreaterThan(0);
          }
        });
      }
    }
  });

  it("gives a run the same bits whatever the batch's size and other runs, and whatever its submits", async () => {
    const runs = [config({ seed: 5, m: 8, steps: 200 }), config({ seed: 6, m: 32, steps: 300 }), config({ seed: 7, m: 12, n: 20, steps: 250 }), config({ seed: 8, m: 16, labels: 'adversarial', steps: 200 })];
    const together = await batched(runs);
    const reversed = await batched([...runs].reverse());
    const alone = await batched([runs[1]]);
    const pairs = await batched(runs, 2, 7);
    // A measurement of the monitor split over dispatches, one product each (a large run's).
    const chunked = await batched(runs, undefined, undefined, undefined, 1);
    runs.forEach((_, k) => {
      expect(bits(reversed[runs.length - 1 - k].result), `run ${k} reversed`).toBe(bits(together[k].result));
      expect(bits(pairs[k].result), `run ${k} in pairs`).toBe(bits(together[k].result));
      expect(bits(chunked[k].result), `run ${k}, one monitor product per dispatch`).toBe(bits(together[k].result));
    });
    expect(bits(alone[0].result)).toBe(bits(together[1].result));
    expect(together[0].result.rows.length).toBeGreaterThan(4);
    // A run past 1024 samples makes the batch's residual array 2048 words long (64 alone):
    // the others' bits stay, and it trains as the float64 reference does.
    const large = config({ seed: 12, n: 1100, m: 8, steps: 60, logEvery: 20 });
    const withLarge = await batched([...runs, large]);
    runs.forEach((_, k) => expect(bits(withLarge[k].result), `run ${k} beside n = 1100`).toBe(bits(together[k].result)));
    const { config: c, result } = withLarge[runs.length];
    const want = await (await createCpuTrainer(fixed(c))).run();
    expect(result.rows.map((r) => r.step)).toEqual(want.rows.map((r) => r.step));
    want.rows.forEach((w, j) => expect(Math.abs(result.rows[j].loss - w.loss) / w.loss, `n = 1100 at step ${w.step}`).toBeLessThan(1e-4));
  });

  it("takes a run of as many samples as a workgroup's memory holds beside its reductions on the resident schedule, one more on the spread one, and refuses a step too large", async () => {
    const dev = await gpu();
    const workgroup = batchWorkgroup(dev.info);
    const most = batchMaxN(dev.device.limits, workgroup);
    expect(most).toBeGreaterThan(1024);
    // Monitored: the monitor kernel, with its own reductions, holds the longest residual array too.
    const edge = config({ n: most, d: 4, m: 4, steps: 3, logEvery: 0, sharpnessProducts: 2 });
    expect(unbatchable(edge, dev.device.limits, dev.info)).toBeNull();
    expect(batchSchedule(edge, dev.device.limits, workgroup)).toBe('resident');
    expect(unbatchable({ ...edge, n: most + 1 }, dev.device.limits, dev.info)).toBeNull();
    expect(batchSchedule({ ...edge, n: most + 1 }, dev.device.limits, workgroup)).toBe('spread');
    // A step past BATCH_MAX_STEP_WORK per invocation goes to the single-run engine: at n = 1024,
    // d = 16 and m = WG·k, each invocation owes 4·(1024·k + 2048·k) vec4 multiply-adds; one
    // neuron more adds a neuron to one invocation's share.
    const k = Math.floor(BATCH_MAX_STEP_WORK / 12288);
    expect(batchStepWork({ n: 1024, d: 16, m: workgroup * k }, workgroup)).toBe(12288 * k);
    // A step at the bound leaves room for 5 monitor products per dispatch, 8 steps' worth.
    expect(monitorChunk({ n: 1024, d: 16, m: workgroup * k }, workgroup)).toBe(5);
    expect(unbatchable(config({ n: 1024, d: 16, m: workgroup * k }), dev.device.limits, dev.info)).toBeNull();
    expect(unbatchable(config({ n: 1024, d: 16, m: workgroup * k + 1 }), dev.device.limits, dev.info)).toBe('a step too large for one workgroup');
    // Fewer neurons than invocations: the neuron phase falls on m of them, each over every sample.
    expect(batchStepWork({ n: 7000, d: 4096, m: 8 }, 64)).toBe(1024 * (110 * 8 + 2 * 7000));
    expect(unbatchable(config({ n: 7000, d: 4096, m: 8 }), { maxComputeWorkgroupStorageSize: 32768 }, dev.info, 64)).toBe('a step too large for one workgroup');
    // The device compiles the kernels with the longest residual array (a rejected one fails the batch).
    const [got] = await batched([edge]);
    expect([got.result.outcome, got.result.stepsDone]).toEqual(['max_steps', 3]);
    expect(got.result.rows.every((r) => r.sharpness > 0)).toBe(true);
  });

  it('trains runs with more samples than a workgroup holds on the spread schedule, as the float64 reference does, with the same bits alone as beside others', async () => {
    const dev = await gpu();
    const workgroup = batchWorkgroup(dev.info);
    const most = batchMaxN(dev.device.limits, workgroup);
    const runs = [
      config({ n: most + 1, d: 4, m: 8, steps: 60, logEvery: 20, seed: 21 }),
      // Three neuron tiles of 4·WG (blocks of 4 at d ≤ 8), the last one short.
      config({ n: most + 300, d: 3, m: 2 * 4 * workgroup + 3, steps: 80, logEvery: 20, seed: 22, labels: 'gaussian' }),
      config({ n: most + 50, d: 4, m: 8, steps: 60, logEvery: 20, seed: 23, etaW: 40, etaA: 40 }),
    ];
    expect(runs.map((c) => batchSchedule(c, dev.device.limits, workgroup))).toEqual(['spread', 'spread', 'spread']);
    const together = await batched(runs);
    const alone = await batched([runs[1]], undefined, 7);
    expect(bits(alone[0].result), 'run 1 alone, in submits of 7 steps').toBe(bits(together[1].result));
    expect(together.map((g) => g.result.outcome)).toEqual(['max_steps', 'max_steps', 'diverged']);
    for (const [k, { config: measured, result }] of together.entries()) {
      const c = fixed(measured);
      const want = await (await createCpuTrainer(c)).run();
      expect(result.outcome).toBe(want.outcome);
      expect(result.rows.map((r) => r.step)).toEqual(want.rows.map((r) => r.step));
      want.rows.forEach((w, j) => {
        const g = result.rows[j];
        const at = `run ${k} at step ${w.step}`;
        // A diverged state's numbers are past fp32's reach: the steps and outcome say it.
        if (!Number.isFinite(w.loss) || w.loss > 1e3 * want.loss0) return;
        expect(Math.abs(g.loss - w.loss) / w.loss, `${at}: loss`).toBeLessThan(1e-4);
        for (const key of ['rel_move_w', 'rel_move_a', 'max_neuron_move', 'grad_norm'] as const)
          expect(Math.abs(g[key] - w[key]), `${at}: ${key}`).toBeLessThan(1e-4 * (Math.abs(w[key]) + 1e-4));
        expect(g.dead_frac, `${at}: dead_frac`).toBe(w.dead_frac);
        // The monitor on the host, on the batch's products.
        if (w.step < want.rows.at(-1)!.step || want.outcome !== 'diverged')
          expect(Math.abs(g.sharpness - w.sharpness), `${at}: sharpness`).toBeLessThan(1e-4 * w.sharpness);
      });
    }
  });

  it('halts each run on its own, as the float64 reference does: converged, diverged and out of steps in one batch', async () => {
    const runs = [
      config({ seed: 9, m: 64, eps: 1e-2, steps: 3000 }),
      config({ seed: 10, etaW: 40, etaA: 40, steps: 400 }),
      config({ seed: 11, steps: 120, logEvery: 0 }),
    ];
    const got = await batched(runs);
    const outcomes = got.map((g) => g.result.outcome);
    expect(outcomes).toEqual(['converged', 'diverged', 'max_steps']);
    for (const [k, { config: c, result }] of got.entries()) {
      const reference = await createCpuTrainer(fixed(c));
      const want = await reference.run();
      expect(result.outcome).toBe(want.outcome);
      // Where a run halts is a rounding-sized decision: the step of its halt agrees within a few steps.
      expect(Math.abs(result.stepsDone - want.stepsDone), `run ${k} steps`).toBeLessThanOrEqual(k === 2 ? 0 : 3);
      // The closing record describes the halting state, logged once.
      const last = result.rows[result.rows.length - 1];
      expect(last.step).toBe(result.stepsDone);
      expect(new Set(result.rows.map((r) => r.step)).size).toBe(result.rows.length);
      // The monitor measures the closing state where a run halts between logged steps, but not a
      // diverged one: a Ritz value of the closing state's H (never above its λ_max, unlike the
      // last logged step's, and within a few products of it: near a crossing of the top
      // eigenvalues the warm start finds it more slowly, so not to the reference's digits).
      if (want.outcome === 'diverged') {
        expect(last.sharpness, `run ${k} closing sharpness`).toBeNaN();
      } else {
        const top = await denseLambdaMax(reference);
        expect(last.sharpness, `run ${k} closing sharpness`).toBeLessThanOrEqual(top * (1 + 1e-5));
        expect(last.sharpness, `run ${k} closing sharpness`).toBeGreaterThan(0.99 * top);
      }
    }
    expect(got[0].result.stepsToEps).toBe(got[0].result.stepsDone);
    expect(got[0].result.rows.at(-1)!.loss_ratio).toBeLessThan(1e-2);
    expect(got[2].result.stepsDone).toBe(120);
  });

  it('packs runs by ⌈d/4⌉, schedule and size, within the binding limit and the most runs asked', () => {
    const cs = [config({ d: 8, m: 64 }), config({ d: 3 }), config({ d: 7, m: 8 }), config({ d: 5 }), config({ d: 8, m: 16 })];
    const limits = { maxStorageBufferBindingSize: 1 << 27, maxComputeWorkgroupStorageSize: 1 << 15 };
    const packed = packBatches(cs, (c) => c, limits, 4, 2);
    expect(packed.map((b) => b.map((c) => [c.d, c.m]))).toEqual([[[3, 16]], [[7, 8], [5, 16]], [[8, 16], [8, 64]]]);
    const tight = packBatches([config({}), config({ seed: 2 })], (c) => c, { ...limits, maxStorageBufferBindingSize: 16 * 2 * (32 + 32) + 1 }, 4);
    expect(tight.length).toBe(2);
    // One schedule per batch: a run past a workgroup's memory goes apart from the resident ones.
    const long = config({ d: 8, m: 16, n: 9000 });
    expect(packBatches([cs[0], long, cs[4]], (c) => c, limits, 4).map((b) => b.map((c) => c.n))).toEqual([[32, 32], [9000]]);
  });
});
