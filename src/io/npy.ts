// NumPy .npy (format 1.0) writer and a reader for 1-D/2-D numeric arrays, so users can
// numpy.load what a run saves and hand labels in.

/** Encodes a float32 array of the given shape, C order. */
export function encodeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Magic (6) + version (2) + length (2) + header + '\n' is padded to a multiple of 64.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.byteLength);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8], 0);
  out.set(new TextEncoder().encode(header), 10);
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // .npy stores '<f4' little-endian; every platform that runs WebGPU is little-endian.
  out.set(body, total);
  return out;
}

const DTYPES: Record<string, { bytes: number; read: (v: DataView, o: number) => number }> = {
  '<f4': { bytes: 4, read: (v, o) => v.getFloat32(o, true) },
  '<f8': { bytes: 8, read: (v, o) => v.getFloat64(o, true) },
  '<i4': { bytes: 4, read: (v, o) => v.getInt32(o, true) },
  '<i8': { bytes: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  '<i2': { bytes: 2, read: (v, o) => v.getInt16(o, true) },
  '|i1': { bytes: 1, read: (v, o) => v.getInt8(o) },
  '|u1': { bytes: 1, read: (v, o) => v.getUint8(o) },
};

/** Decodes a little-endian numeric .npy file into float64 values and its shape; throws a one-line reason. */
export function decodeNpy(bytes: Uint8Array): { data: Float64Array; shape: number[] } {
  const magic = String.fromCharCode(...bytes.subarray(1, 6));
  if (bytes[0] !== 0x93 || magic !== 'NUMPY') throw new Error('not a .npy file (bad magic)');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new Error('not a .npy file (bad header)');
  const dtype = DTYPES[descr === '<f4' || descr === '=f4' ? '<f4' : descr.replace('=', '<')];
  if (!dtype) throw new Error(`unsupported dtype ${descr} (use float32, float64 or integers, little-endian)`);
  const shape = shapeText.split(',').map((x) => x.trim()).filter(Boolean).map(Number);
  const count = shape.reduce((p, x) => p * x, 1);
  const body = start + headerLen;
  if (bytes.byteLength - body < count * dtype.bytes) throw new Error('file is shorter than its shape says');
  if (fortran === 'True' && shape.filter((x) => x > 1).length > 1) throw new Error('Fortran-order arrays are not supported');
  const data = new Float64Array(count);
  for (let k = 0; k < count; k++) data[k] = dtype.read(view, body + k * dtype.bytes);
  return { data, shape };
}
