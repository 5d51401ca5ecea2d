// The backend in the page: the user's WebGPU device, or the float64 CPU reference when there is
// none (or it was lost), with the limits that keep a tab responsive.
import type { Resolved } from '../config/resolve';
import { ConfigError } from '../config/schema';
import { acquireBrowserDevice, type BrowserDevice } from '../gpu/device_browser';
import type { Variants } from '../gpu/variants';
import type { BackendInfo } from '../model/engine';
import { referenceBytes } from '../reference/engine';
import { cpuBackend, gpuBackend, type Backend } from './backend';
import type { OnSetup, Trainer } from './trainer';

/** The CPU reference keeps float64 copies in the JS heap: keep well under what a tab gets. */
const CPU_MAX_BYTES = 512 * 2 ** 20;
/**
 * It stops (Pause, Cancel) only between submits, of one step at least: a step of 6·n·d·m flops
 * must stay well under a second of JavaScript (about 1 GFLOP/s) for Pause to answer at once.
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
}
