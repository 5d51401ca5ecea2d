// The same GD step in TensorFlow.js with its WebGPU backend, on our own GPUDevice (so: the same
// adapter, in Node through Dawn as in the browser). It forms the n×m pre-activations, as a
// framework does: sizes where they exceed MAX_ELEMENTS are skipped with the reason.
import type { BenchSize } from '../bench';

const MAX_ELEMENTS = 2 ** 27;

let registered: Promise<typeof import('@tensorflow/tfjs-core')> | null = null;

async function tfOn(device: GPUDevice) {
  registered ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
    // Its kernels are registered under the name 'webgpu': replace that backend's factory, which
    // would request an adapter of its own, by one on our device.
    tf.removeBackend('webgpu');
    tf.registerBackend('webgpu', () => new WebGPUBackend(device));
    await tf.setBackend('webgpu');
    await tf.ready();
    return tf;
  })();
  return registered;
}

/** Seconds per step of full-batch GD on both layers (standard parametrization, small rates). */
export async function tfjsStepSeconds(device: GPUDevice, { n, d, m }: BenchSize, targetSeconds = 0.2): Promise<number | string> {
  if (n * m > MAX_ELEMENTS) return `n·m = ${n * m} pre-activations would be materialized (over ${MAX_ELEMENTS})`;
  const tf = await tfOn(device);
  const X = tf.randomNormal([n, d]);
  const y = tf.sign(tf.randomNormal([n]));
  let W = tf.div(tf.randomNormal([m, d]), Math.sqrt(d)) as import('@tensorflow/tfjs-core').Tensor2D;
  let a = tf.div(tf.randomNormal([m]), Math.sqrt(m)) as import('@tensorflow/tfjs-core').Tensor1D;
  const step = () => {
    const [W2, a2] = tf.tidy(() => {
      const Z = tf.matMul(X, W, false, true);
      const A = tf.relu(Z);
      const r = tf.sub(tf.reshape(tf.matMul(A, tf.reshape(a, [m, 1])), [n]), y);
      const gA = tf.reshape(tf.matMul(A, tf.reshape(r, [n, 1]), true, false), [m]);
      const gW = tf.mul(tf.matMul(tf.mul(tf.step(Z, 0), tf.reshape(r, [n, 1])), X, true, false), tf.reshape(a, [m, 1]));
      return [tf.sub(W, tf.mul(gW, 1e-4)), tf.sub(a, tf.mul(gA, 1e-4 / m))] as const;
    });
    W.dispose();
    a.dispose();
    W = W2 as typeof W;
    a = a2 as typeof a;
  };
  try {
    step();
    await W.data();
    let reps = 1;
    for (;;) {
      const start = performance.now();
      for (let k = 0; k < reps; k++) step();
      await W.data();
      const seconds = (performance.now() - start) / 1000;
      if (seconds >= targetSeconds || reps >= 1024) return seconds / reps;
      reps = Math.min(1024, Math.max(reps * 2, Math.ceil((reps * targetSeconds * 1.2) / Math.max(seconds, 1e-6))));
    }
  } finally {
    tf.dispose([X, y, W, a]);
  }
}
