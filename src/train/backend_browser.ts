// The backend in the page: the user's WebGPU device, or the float64 CPU reference when there is
// none (or it was lost), with the limits that keep a tab responsive.
import type { Resolved } from '../config/resolve';
import { ConfigError } from '../config/schema';
import { batchRuns, batchWorkgroup, createBatchEngine, packBatches, unbatchable, type BatchEngine } from '../gpu/batch';
import { acquireBrowserDevice, type BrowserDevice } from '../gpu/device_browser';
import type { Variants } from '../gpu/variants';
import type { BackendInfo } from '../model/engine';
import { referenceBytes } from '../reference/engine';
import { cpuBackend, gpuBackend, type Backend } from './backend';
import { prepareBatch, prepareHere } from './batch';
import type { RunState } from './run_loop';
import type { OnSetup, SetupEvent, Trainer } from './trainer';

/** The CPU reference keeps float64 copies in the JS heap: keep well under what a tab gets. */
const CPU_MAX_BYTES = 512 * 2 ** 20;
/**
 * It stops (Pause, Cancel) only between submits, of one step at least: a step of 6·n·d·m flops
 * must stay well under a second for Pause to answer at once. The WebAssembly step does about
 * 5 GFLOP/s on this 2-core machine (21 ms at 1024×16×1024, docs/BENCHMARKS.md): 3·10⁸ flops are
 * about 60 ms here, and leave room for a phone several times slower.
 */
const CPU_MAX_STEP_FLOPS = 3e8;

const CPU = cpuBackend((c, need) => {
  const where = '--m (m), --n (n), --d (d): without WebGPU the page runs the CPU reference';
  // Both limits are linear in m: the largest m that fits both at this n and d.
  const base = referenceBytes({ ...c, m: 0 }), perNeuron = referenceBytes({ ...c, m: 1 }) - base;
  const largest = Math.min(Math.floor((CPU_MAX_BYTES - base) / perNeuron), Math.floor(CPU_MAX_STEP_FLOPS / (6 * c.n * c.d)));
  const fits = largest >= 1 ? `; at n=${c.n} d=${c.d} the largest m that fits is ${largest}` : '; no m fits at this n and d';
  if (need > CPU_MAX_BYTES)
    throw new ConfigError('m', `${where}, which holds at most ${CPU_MAX_BYTES / 2 ** 20} MiB; this run needs ${(need / 2 ** 20).toFixed(1)} MiB${fits}`);
  const flops = 6 * c.n * c.d * c.m;
  if (flops > CPU_MAX_STEP_FLOPS)
    throw new ConfigError('m', `${where}, which takes steps of at most ${CPU_MAX_STEP_FLOPS.toExponential(0)} flops (6·n·d·m) so that Pause answers at once; this run's are ${flops.toExponential(1)}${fits}`);
});

export class BrowserBackend implements Backend {
  private gpu: BrowserDevice | null = null;
  private current: Backend = CPU;
  /** Why there is no GPU (no WebGPU, no adapter), or why it was lost. */
  reason: string | null = null;
  lost = false;

  private constructor(private readonly onLost: (message: string) => void) {}

  static async acquire(onLost: (message: string) => void): Promise<BrowserBackend> {
    const b = new BrowserBackend(onLost);
    await b.connect();
    return b;
  }

  /** (Re)acquires the device; a device that is lost cannot be revived, only replaced. */
  async connect(): Promise<void> {
    const got = await acquireBrowserDevice();
    this.lost = false;
    if (!got.ok) {
      this.gpu = null;
      this.current = CPU;
      this.reason = got.reason;
      return;
    }
    this.gpu = got.gpu;
    this.current = gpuBackend(got.gpu.device, got.gpu.info);
    this.reason = null;
    const device = got.gpu.device;
    device.lost.then((info) => {
      if (this.gpu?.device !== device) return;
      this.lost = true;
      this.reason = `the WebGPU device was lost (${info.reason}): ${info.message || 'no details'}`;
      this.onLost(this.reason);
    });
  }

  get info(): BackendInfo {
    return this.current.info;
  }

  check(c: Resolved, kernel?: Partial<Variants>): number {
    return this.current.check(c, kernel);
  }

  async create(c: Resolved, labelValues?: Float64Array, kernel?: Partial<Variants>, onSetup?: OnSetup): Promise<Trainer> {
    if (this.lost) throw new Error(this.reason ?? 'the WebGPU device was lost');
    this.check(c, kernel);
    return this.current.create(c, labelValues, kernel, onSetup);
  }

  /**
   * Why these runs cannot train together, as one batch of the batched WebGPU engine, or null.
   * Each is prepared on the float64 reference first (src/train/batch.ts), in the worker: a run
   * the page would not give the CPU reference is prepared on its own engine instead.
   */
  together(cs: readonly Resolved[], labelsFile: boolean): string | null {
    if (!this.gpu || this.lost) return 'no WebGPU';
    if (labelsFile) return 'labels from a file';
    for (const c of cs) {
      const why = unbatchable(c, this.gpu.device.limits, this.gpu.info);
      if (why) return why;
      try {
        CPU.check(c);
      } catch (e) {
        if (e instanceof ConfigError) return 'too large to prepare on the float64 reference';
        throw e;
      }
    }
    if (packBatches(cs, (c) => c, this.gpu.device.limits, batchWorkgroup(this.gpu.info), batchRuns(this.gpu.info)).length > 1) return 'more than one batch';
    return null;
  }

  /**
   * The runs prepared on the float64 reference and put into one batch (when `together` allows
   * it); `onSetup` hears each run's phases (with its index), then the batch's own.
   */
  async createBatch(cs: readonly Resolved[], onSetup?: (e: SetupEvent, run?: number) => void): Promise<{ engine: BatchEngine; states: RunState[]; logged: (readonly number[])[] }> {
    const why = this.together(cs, false);
    if (why) throw new Error(`these runs cannot train as one batch: ${why}`);
    const { device, info } = this.gpu!;
    const { members, states } = await prepareBatch(cs, (configs) => prepareHere(configs, onSetup));
    onSetup?.({ phase: `allocating and compiling the batched engine for ${cs.length} runs` });
    const engine = await createBatchEngine(device, info, members);
    return { engine, states, logged: members.map((m) => m.logged) };
  }
}
