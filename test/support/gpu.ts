// One WebGPU device per test file, found the way the CLI finds it (SwiftShader on CI).
// A missing adapter fails the test: GPU tests are never skipped.
import { acquireNodeDevice, type NodeDevice } from '../../src/gpu/device_node';

let acquired: Promise<NodeDevice> | null = null;

export function gpu(): Promise<NodeDevice> {
  acquired ??= acquireNodeDevice().then((d) => {
    if (!d) throw new Error('no WebGPU adapter: run `npm test`, whose setup installs libvulkan1 and chromium (SwiftShader)');
    return d;
  });
  return acquired;
}

/** Largest |a−b| / (|b| + floor) over two arrays. */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-6): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]) / (Math.abs(b[k]) + floor));
  return worst;
}
