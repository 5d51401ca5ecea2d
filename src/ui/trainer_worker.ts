// One run's trainer, in a Web Worker: rate measurement, the dense H_0 and its
// eigendecomposition, the CPU reference's steps and the WebGPU engine's host work all happen
// here, so the page's main thread only draws. A worker holds one trainer at most; cancelling a
// preparation ends the worker (an eigendecomposition cannot be interrupted any other way).
import { expose } from 'comlink';
import type { Resolved } from '../config/resolve';
import { ConfigError } from '../config/schema';
import type { BackendInfo } from '../model/engine';
import type { Row } from '../model/metrics';
import { BrowserBackend } from '../train/backend_browser';
import type { Progress, RunResult, SetupEvent, Trainer } from '../train/trainer';

/** Progress of setup reaches the page at most this often (the CPU reference runs thousands of products a second). */
const SETUP_EVENT_MS = 100;

export type Checked = { ok: true; bytes: number } | { ok: false; key: string; message: string };

export interface Created {
  config: Resolved;
  backend: BackendInfo;
  memoryBytes: number;
  setupSeconds: number;
}

let backend: BrowserBackend | null = null;
let trainer: Trainer | null = null;
let abort: AbortController | null = null;

function ready(): BrowserBackend {
  if (!backend) throw new Error('the worker has no backend yet');
  return backend;
}

/** A new phase always reaches the page; its counts only every SETUP_EVENT_MS. */
function throttled(onSetup: (e: SetupEvent) => void): (e: SetupEvent) => void {
  let phase = '';
  let last = 0;
  return (e) => {
    const now = performance.now();
    if (e.phase === phase && now - last < SETUP_EVENT_MS) return;
    phase = e.phase;
    last = now;
    onSetup(e);
  };
}

const api = {
  async connect(onLost: (message: string) => void): Promise<{ info: BackendInfo; reason: string | null }> {
    backend = await BrowserBackend.acquire(onLost);
    return { info: backend.info, reason: backend.reason };
  },

  /** The backend's check, with its ConfigError as data: an Error crossing to the page keeps only its message. */
  check(c: Resolved): Checked {
    try {
      return { ok: true, bytes: ready().check(c) };
    } catch (e) {
      if (e instanceof ConfigError) return { ok: false, key: e.key, message: e.message };
      throw e;
    }
  },

  async create(c: Resolved, labelValues: Float64Array | undefined, onSetup: (e: SetupEvent) => void): Promise<Created> {
    if (trainer) throw new Error('this worker already holds a trainer');
    const b = ready();
    const setup = throttled(onSetup);
    // The CPU reference names no phase of its own before its first measurement.
    setup({ phase: b.info.kind === 'cpu' ? 'drawing the data and the initial weights' : 'starting the WebGPU engine' });
    trainer = await b.create(c, labelValues, undefined, setup);
    return { config: trainer.config, backend: trainer.backend, memoryBytes: trainer.memoryBytes, setupSeconds: trainer.setupSeconds };
  },

  /**
   * The callbacks travel on channels of their own, the result on the worker's: the result waits
   * until the page has taken the last row and progress, so that a run's `done` follows its rows.
   */
  async run(onRow: (row: Row) => unknown, onProgress: (p: Progress) => unknown): Promise<RunResult> {
    if (!trainer) throw new Error('no trainer to run');
    abort = new AbortController();
    const taken: unknown[] = [];
    const result = await trainer.run({ signal: abort.signal, onRow: (row) => { taken[0] = onRow(row); }, onProgress: (p) => { taken[1] = onProgress(p); } });
    await Promise.all(taken);
    return result;
  },

  pause(): void {
    abort?.abort();
  },

  dispose(): void {
    trainer?.dispose();
    trainer = null;
  },
};

export type TrainerWorker = typeof api;
expose(api);
