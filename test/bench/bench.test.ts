// The benchmark harness's pure parts: size lists and the scaling fit.
import { describe, expect, it } from 'vitest';
import { parseSizes, scalingExponent } from '../../src/bench/bench';

describe('shallow-gd bench', () => {
  it('parses size lists and ranges, and fits the scaling exponent', () => {
    expect(parseSizes('8x4x16,2x3x2^4..2^6')).toEqual([{ n: 8, d: 4, m: 16 }, { n: 2, d: 3, m: 16 }, { n: 2, d: 3, m: 32 }, { n: 2, d: 3, m: 64 }]);
    expect(() => parseSizes('8x4')).toThrow(/--sizes/);
    expect(scalingExponent([{ m: 1, seconds: 2 }, { m: 4, seconds: 8 }, { m: 16, seconds: 32 }])).toBeCloseTo(1, 12);
    expect(scalingExponent([{ m: 1, seconds: 1 }, { m: 2, seconds: 4 }])).toBeCloseTo(2, 12);
  });
});
