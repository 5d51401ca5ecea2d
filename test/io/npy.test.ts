import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy } from '../../src/io/npy';

describe('.npy', () => {
  it('writes a version 1.0 header padded to 64 bytes that reads back', () => {
    const data = Float32Array.from([1, -2.5, 3e-8, 4, 5, 6]);
    const bytes = encodeNpy(data, [2, 3]);
    const headerLen = bytes[8] | (bytes[9] << 8);
    expect((10 + headerLen) % 64).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLen));
    expect(header).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
    const back = decodeNpy(bytes);
    expect(back.shape).toEqual([2, 3]);
    expect(Float32Array.from(back.data)).toEqual(data);
    expect(decodeNpy(encodeNpy(data, [6])).shape).toEqual([6]);
  });

  it('refuses what it cannot read, with a reason', () => {
    expect(() => decodeNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))).toThrow(/bad magic/);
    const bytes = encodeNpy(Float32Array.from([1, 2]), [2]);
    expect(() => decodeNpy(bytes.subarray(0, bytes.length - 4))).toThrow(/shorter/);
  });
});
