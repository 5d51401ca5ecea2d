import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve';
import { buildConfig } from '../../src/config/schema';
import { cpuBackend, type Backend } from '../../src/train/backend';
import { trainMany } from '../../src/train/many';
import { createCpuTrainer } from '../../src/train/trainer';

const config = (n: number) => resolveConfig(buildConfig({ n, d: 2, m: 3, steps: 20, sharpnessProducts: 0 }));

/** The CPU backend with a stand-in batched engine that notes the runs it was given. */
function withBatches(batched: string[]): Backend {
  return {
    ...cpuBackend(() => {}),
    batched: {
      refuses: (c) => (c.n > 1000 ? 'n > 1000' : null),
      async train(runs, o) {
        for (const r of runs) {
          batched.push(r.key as string);
          const t = await createCpuTrainer(r.c);
          o.onFinished(r.key, t.config, await t.run());
        }
      },
    },
  };
}

describe('trainMany', () => {
  it('batches what the batched engine takes and trains the rest alone, reading tensors only where asked', async () => {
    const batched: string[] = [], finished: Record<string, boolean> = {}, phases: string[] = [];
    const runs = [{ key: 'small', c: config(8) }, { key: 'tensors', c: config(8), tensors: true }, { key: 'large', c: config(1100) }];
    await trainMany(withBatches(batched), runs, {
      batch: 'auto',
      onPhase: (line) => phases.push(line),
      onFinished: (key, c, result, _b, tensors) => {
        expect(result.stepsDone).toBeGreaterThan(0);
        expect(c.etaW).toBeGreaterThan(0);
        finished[key] = tensors !== undefined;
      },
    });
    expect(batched).toEqual(['small']);
    expect(finished).toEqual({ small: false, tensors: true, large: false });
    expect(phases[0]).toMatch(/batched engine: 1 runs; 2 one at a time \(tensors kept, n > 1000\)$/);
  });

  it('trains every run alone with batching off, and none after its signal', async () => {
    const batched: string[] = [], finished: string[] = [];
    const onFinished = (key: string) => void finished.push(key);
    await trainMany(withBatches(batched), [{ key: 'a', c: config(8) }, { key: 'b', c: config(8) }], { batch: 0, onPhase() {}, onFinished });
    expect(batched).toEqual([]);
    expect(finished).toEqual(['a', 'b']);
    const stop = new AbortController();
    stop.abort();
    await trainMany(withBatches(batched), [{ key: 'c', c: config(8) }], { batch: 0, signal: stop.signal, onPhase() {}, onFinished });
    expect(finished).toEqual(['a', 'b']);
  });
});
