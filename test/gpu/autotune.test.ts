// The autotuner's choice and cache, with a fake timer: no timing in tests.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { autotune, formatVariants, sameVariants, tuneCandidates, tuneKey, type TuneCache, type TunedChoice } from '../../src/gpu/autotune';
import { fileTuneCache, tuneCacheFile } from '../../src/gpu/tune_cache_node';
import { chooseVariants, type Variants } from '../../src/gpu/variants';

const gpu = { kind: 'webgpu' as const, name: 'NVIDIA H200 / hopper / nvidia', software: false };
const limits = { maxComputeWorkgroupStorageSize: 32768, maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 30 } as GPUSupportedLimits;
const shape = { d4: 32, n: 1024, m: 16384, q: 64 };

function memoryCache(): TuneCache & { data: Map<string, TunedChoice> } {
  const data = new Map<string, TunedChoice>();
  return { data, get: async (k) => data.get(k), set: async (k, v) => { data.set(k, v); } };
}

/** A fake timer: seconds per step by the candidate's text, and a count of measurements. */
function fakeTimer(seconds: (v: Variants) => number) {
  const measured: string[] = [];
  return { measured, measure: async (v: Variants) => { measured.push(formatVariants(v)); return seconds(v); } };
}

describe('the autotuner', () => {
  const candidates = tuneCandidates(gpu, limits, shape);
  const base = chooseVariants(gpu, limits, shape);

  it('tries today’s choice first, then each gemm tile and split the device takes, each once', () => {
    expect(candidates[0]).toEqual(base);
    expect(candidates.some((v) => v.forward === 'gemm' && v.backward === 'gemm' && v.split === '16')).toBe(true);
    expect(candidates.some((v) => v.forward === 'gemm' && v.backward === base.backward)).toBe(true);
    expect(candidates.every((v, k) => candidates.findIndex((o) => sameVariants(o, v)) === k)).toBe(true);
    // --kernel still forces: every candidate carries it.
    expect(tuneCandidates(gpu, limits, shape, { backward: 'simple' }).every((v) => v.backward === 'simple')).toBe(true);
    // Where gemm's workgroup memory does not fit, only today's choice and what fits are left.
    const small = tuneCandidates(gpu, { ...limits, maxComputeWorkgroupStorageSize: 16384 } as GPUSupportedLimits, shape);
    expect(small.every((v) => v.forward !== 'gemm' || v.tile === '64x64')).toBe(true);
  });

  it('keys by adapter, d/4, log₂ n and log₂ m', () => {
    expect(tuneKey(gpu, shape)).toBe('NVIDIA H200 / hopper / nvidia | d4=32 | log2n=10 | log2m=14');
  });

  it('keeps the fastest candidate, today’s choice on a tie or where nothing beats it, and caches it', async () => {
    const cache = memoryCache();
    const key = tuneKey(gpu, shape);
    const fastest = candidates[5];
    const t = fakeTimer((v) => (sameVariants(v, fastest) ? 1e-3 : 2e-3));
    const r = await autotune({ key, mode: 'on', cache, candidates, measure: t.measure, timing: 'timestamp' });
    expect(r).toMatchObject({ from: 'measured', choice: { variants: fastest, secondsPerStep: 1e-3, defaultSecondsPerStep: 2e-3, candidates: candidates.length } });
    expect(t.measured.length).toBe(candidates.length);
    expect(cache.data.get(key)?.variants).toEqual(fastest);
    // Nothing faster than today's choice: it stays.
    const slower = fakeTimer((v) => (sameVariants(v, base) ? 1e-3 : 1e-3 + 1e-9));
    expect((await autotune({ key: 'other', mode: 'on', cache, candidates, measure: slower.measure, timing: 'wall' })).choice.variants).toEqual(base);
    const tie = fakeTimer(() => 1e-3);
    expect((await autotune({ key: 'tie', mode: 'on', cache, candidates, measure: tie.measure, timing: 'wall' })).choice.variants).toEqual(base);
  });

  it('answers from its cache with `on`, measures again with `refresh` or when the cached choice is no candidate now', async () => {
    const cache = memoryCache();
    const key = tuneKey(gpu, shape);
    const first = fakeTimer((v) => (v.forward === 'gemm' ? 1e-3 : 2e-3));
    const chosen = (await autotune({ key, mode: 'on', cache, candidates, measure: first.measure, timing: 'timestamp' })).choice;
    const again = fakeTimer(() => 1);
    expect(await autotune({ key, mode: 'on', cache, candidates, measure: again.measure, timing: 'timestamp' })).toEqual({ choice: chosen, from: 'cache' });
    expect(again.measured).toEqual([]);
    expect((await autotune({ key, mode: 'refresh', cache, candidates, measure: again.measure, timing: 'timestamp' })).from).toBe('measured');
    expect(again.measured.length).toBe(candidates.length);
    const others = candidates.filter((v) => !sameVariants(v, cache.data.get(key)!.variants));
    expect((await autotune({ key, mode: 'on', cache, candidates: others, measure: again.measure, timing: 'timestamp' })).from).toBe('measured');
  });

  it('keeps its choices in one JSON file under XDG_CACHE_HOME (default ~/.cache), an unreadable one counting as empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shallow-gd-tune-'));
    try {
      const file = tuneCacheFile({ XDG_CACHE_HOME: dir });
      expect(file).toBe(join(dir, 'shallow-gd', 'autotune.json'));
      expect(tuneCacheFile({ HOME: '/home/someone' })).toMatch(/\.cache\/shallow-gd\/autotune\.json$/);
      const cache = fileTuneCache(file);
      const choice: TunedChoice = { variants: candidates[1], secondsPerStep: 1e-3, defaultSecondsPerStep: 2e-3, timing: 'wall', candidates: 3 };
      expect(await cache.get('k')).toBeUndefined();
      await cache.set('k', choice);
      await cache.set('k2', { ...choice, variants: base });
      expect(await fileTuneCache(file).get('k')).toEqual(choice);
      expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')))).toEqual(['k', 'k2']);
      writeFileSync(file, '{ not json');
      expect(await fileTuneCache(file).get('k')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
