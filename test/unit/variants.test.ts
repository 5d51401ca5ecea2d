import { describe, expect, it } from 'vitest';
import { TILED_BYTES, chooseVariants, parseVariants, resolveVariants } from '../../src/gpu/variants';

const gpu = { kind: 'webgpu' as const, name: 'a GPU', software: false };
const swiftshader = { kind: 'webgpu' as const, name: 'SwiftShader', software: true };
const limits = { maxComputeWorkgroupStorageSize: 16384 } as GPUSupportedLimits;

describe('kernel variants', () => {
  it('picks tiled kernels on GPUs where their workgroup memory fits, simple ones on CPU drivers', () => {
    expect(chooseVariants(gpu, limits, 32)).toEqual({ forward: 'simple', backward: 'tiled', stats: 'tiled' });
    expect(chooseVariants(swiftshader, limits, 32)).toEqual({ forward: 'blocked', backward: 'simple', stats: 'simple' });
    // Each kernel by its own need: at d4 = 100 the backward tile (8 samples) no longer fits, the stats tile (4) does.
    expect(TILED_BYTES.backward(100)).toBeGreaterThan(16384);
    expect(TILED_BYTES.stats(100)).toBeLessThanOrEqual(16384);
    expect(chooseVariants(gpu, limits, 100)).toEqual({ forward: 'simple', backward: 'simple', stats: 'tiled' });
  });

  it('lets --kernel force a variant, and refuses one the device cannot hold in one line', () => {
    expect(resolveVariants(swiftshader, limits, 32, parseVariants('backward=tiled'))).toEqual({ forward: 'blocked', backward: 'tiled', stats: 'simple' });
    expect(() => resolveVariants(gpu, limits, 100, { backward: 'tiled' })).toThrow(/^--kernel backward=tiled needs \d+ bytes of workgroup memory at d=400; this device has 16384$/);
    expect(() => parseVariants('matmul=tiled')).toThrow(/--kernel must be kernel=variant with forward=simple\|blocked\|tiled, backward=simple\|tiled, stats=simple\|tiled; got "matmul=tiled"/);
  });
});
