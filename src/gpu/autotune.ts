// Autotuning: the kernel variants of a run chosen by measuring them, once per adapter and shape.
// Candidates are today's choice (chooseVariants) and the gemm kernels over their tiles, splits
// and epilogues, each checked against the device first and its pipelines compiled with
// createComputePipelineAsync (src/gpu/engine.ts); the fastest per step wins, and today's choice
// is one of them, so the tuner never settles on a variant slower than it measured. Choices are
// kept across runs behind TuneCache: a JSON file in Node (tune_cache_node.ts), IndexedDB in the
// page (tune_cache_browser.ts), registered per device where the device is acquired.
import type { BackendInfo } from '../model/engine';
import type { TimingMethod } from './timer';
import { VARIANTS, chooseVariants, resolveVariants, type Shape, type Variants } from './variants';

export type TuneMode = 'on' | 'off' | 'refresh';

/** What the tuner keeps for one adapter and shape. */
export interface TunedChoice {
  variants: Variants;
  /** Seconds per step of the choice and of today's default, as measured (by `timing`). */
  secondsPerStep: number;
  defaultSecondsPerStep: number;
  timing: TimingMethod;
  /** Candidates measured. */
  candidates: number;
}

export interface TuneCache {
  get(key: string): Promise<TunedChoice | undefined>;
  set(key: string, choice: TunedChoice): Promise<void>;
}

const caches = new WeakMap<GPUDevice, TuneCache>();

/** Where the tuner of `device`'s runs keeps its choices (device_node.ts, device_browser.ts). */
export function registerTuneCache(device: GPUDevice, cache: TuneCache): void {
  caches.set(device, cache);
}
export function tuneCacheOf(device: GPUDevice): TuneCache | undefined {
  return caches.get(device);
}

/** The cache key: the adapter (its description, architecture and vendor, which name the driver), d/4, log₂ n, log₂ m. */
export function tuneKey(backend: BackendInfo, shape: Pick<Shape, 'd4' | 'n' | 'm'>): string {
  const log2 = (x: number) => Math.round(Math.log2(x));
  return `${backend.name} | d4=${shape.d4} | log2n=${log2(shape.n)} | log2m=${log2(shape.m)}`;
}

/** Today's choice first, then each gemm combination the device takes, with `forced` applied to all (deduplicated). */
export function tuneCandidates(backend: BackendInfo, limits: GPUSupportedLimits, shape: Shape, forced: Partial<Variants> = {}): Variants[] {
  const base = chooseVariants(backend, limits, shape);
  const tries: Partial<Variants>[] = [{}];
  for (const epilogue of VARIANTS.epilogue) {
    for (const tile of VARIANTS.tile) {
      tries.push({ forward: 'gemm', tile, epilogue });
      for (const split of VARIANTS.split) tries.push({ forward: 'gemm', backward: 'gemm', tile, split, epilogue });
    }
  }
  const out: Variants[] = [];
  for (const t of tries) {
    let v: Variants;
    try {
      v = resolveVariants(backend, limits, shape, { ...base, ...t, ...forced });
    } catch {
      continue;
    }
    if (!out.some((o) => sameVariants(o, v))) out.push(v);
  }
  return out;
}

export function sameVariants(a: Variants, b: Variants): boolean {
  return (Object.keys(VARIANTS) as (keyof Variants)[]).every((k) => a[k] === b[k]);
}

export interface TuneRequest {
  key: string;
  mode: Exclude<TuneMode, 'off'>;
  cache?: TuneCache;
  /** Today's choice first (the reference every other candidate must beat). */
  candidates: readonly Variants[];
  /** Seconds per step of a candidate (a fake in tests). */
  measure: (v: Variants) => Promise<number>;
  timing: TimingMethod;
  log?: (line: string) => void;
}

/**
 * The cached choice for the key (mode `on`, when it is still a candidate), else each candidate
 * measured and the fastest kept; a tie keeps today's choice.
 */
export async function autotune(r: TuneRequest): Promise<{ choice: TunedChoice; from: 'cache' | 'measured' }> {
  if (r.mode === 'on') {
    const hit = await r.cache?.get(r.key);
    if (hit && r.candidates.some((c) => sameVariants(c, hit.variants))) return { choice: hit, from: 'cache' };
  }
  const seconds: number[] = [];
  for (const [k, v] of r.candidates.entries()) {
    r.log?.(`autotune: candidate ${k + 1}/${r.candidates.length} ${formatVariants(v)}`);
    seconds.push(await r.measure(v));
  }
  let best = 0;
  seconds.forEach((s, k) => { if (s < seconds[best]) best = k; });
  const choice: TunedChoice = { variants: r.candidates[best], secondsPerStep: seconds[best], defaultSecondsPerStep: seconds[0], timing: r.timing, candidates: seconds.length };
  await r.cache?.set(r.key, choice);
  return { choice, from: 'measured' };
}

/** `forward=gemm,…` as --kernel takes it. */
export function formatVariants(v: Variants): string {
  return (Object.keys(VARIANTS) as (keyof Variants)[]).map((k) => `${k}=${v[k]}`).join(',');
}
