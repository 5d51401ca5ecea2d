import { describe, expect, it } from 'vitest';
import { gaussian, philox, sign, toUniform } from '../../src/model/rng';

describe('Philox2x32-10', () => {
  it('matches the Random123 known-answer vectors', () => {
    expect(philox(0, 0, 0)).toEqual([0xff1dae59, 0x6cd10df2]);
    expect(philox(0xffffffff, 0xffffffff, 0xffffffff)).toEqual([0x2c3f628b, 0xab4fd7ad]);
    expect(philox(0x243f6a88, 0x85a308d3, 0x13198a2e)).toEqual([0xdd7ce038, 0xf62a4c12]);
  });

  it('maps words into the open interval (0, 1)', () => {
    expect(toUniform(0)).toBeGreaterThan(0);
    expect(toUniform(0xffffffff)).toBeLessThan(1);
    expect(Math.fround(toUniform(0xffffffff))).toBe(toUniform(0xffffffff));
  });

  it('draws standard normals and fair signs, reproducibly per seed', () => {
    const N = 100_000;
    let s1 = 0, s2 = 0, s4 = 0, signs = 0;
    for (let i = 0; i < N; i++) {
      const g = gaussian(7, 1, i, 3);
      s1 += g;
      s2 += g * g;
      s4 += g ** 4;
      signs += sign(7, 4, i, 0);
    }
    // Standard errors: mean 1/√N ≈ 0.003, variance √(2/N) ≈ 0.0045, kurtosis ≈ √(96/N) ≈ 0.03.
    expect(Math.abs(s1 / N)).toBeLessThan(0.015);
    expect(Math.abs(s2 / N - 1)).toBeLessThan(0.02);
    expect(Math.abs(s4 / N - 3)).toBeLessThan(0.15);
    expect(Math.abs(signs / N)).toBeLessThan(0.015);
    expect(gaussian(7, 1, 5, 3)).toBe(gaussian(7, 1, 5, 3));
    expect(gaussian(7, 1, 5, 3)).not.toBe(gaussian(8, 1, 5, 3));
    expect(gaussian(7, 1, 5, 3)).not.toBe(gaussian(7, 2, 5, 3));
  });

  it('gives neighbouring counters uncorrelated draws', () => {
    const N = 50_000;
    let c = 0;
    for (let i = 0; i < N; i++) c += gaussian(1, 2, i, 0) * gaussian(1, 2, i + 1, 0);
    expect(Math.abs(c / N)).toBeLessThan(0.02);
  });
});
