// One run's trainer, or the seeds of one config as one batch, in a Web Worker: rate
// measurement, the dense H_0 and its eigendecomposition, the CPU reference's steps and the
// WebGPU engines' host work all happen here, so the page's main thread only draws. A worker
// holds one trainer or one batch at most; cancelling a preparation ends the worker (an
// eigendecomposition cannot be interrupted any other way).
import { expose } from 'comlink';
import type { Resolved } from '../config/resolve';
import { ConfigError } from '../config/schema';
import type { BackendInfo } from '../model/engine';
import type { Row } from '../model/metrics';
import { BrowserBackend } from '../train/backend_browser';
import { runBatchLoop } from '../train/batch';
import type { Progress, RunResult, SetupEvent, Trainer } from '../train/trainer';
import type { BatchEngine } from '../gpu/batch';
import type { RunState } from '../train/run_loop';
import { seedsOf } from './seeds';

/** Progress of setup reaches the page at most this often (the CPU reference runs thousands of products a second). */
const SETUP_EVENT_MS = 100;

/** `together`: why `seeds` runs of the config would not train as one batch (then one after another), or null. */
export type Checked = { ok: true; bytes: number; together: string | null } | { ok: false; key: string; message: string };

export interface Created {
  config: Resolved;
  backend: BackendInfo;
  memoryBytes: number;
  setupSeconds: number;
}

/** Created with one batch: each run's final config, and the batch as the worker reports it. */
export interface CreatedBatch extends Omit<Created, 'config'> {
  configs: Resolved[];
  /** Runs in the batch engine's one dispatch. */
  size: number;
}

/**
 * What a batch reports, in order on one channel: each submit's new rows and every running run's
 * progress; a run's result as it finishes; and, when a hold was asked for, the results so far of
 * the runs it holds (they go on when the batch is released).
 */
export type BatchEvent =
  | { type: 'rows'; rows: [number, Row[]][]; progress: [number, Progress][] }
  | { type: 'finished'; run: number; result: RunResult }
  | { type: 'held'; results: [number, RunResult][] };

interface Batch {
  engine: BatchEngine;
  states: RunState[];
  logged: (readonly number[])[];
  abort: AbortController;
  /** A hold asked for: the loop stops at its next submit. */
  holdAsked: boolean;
  /** Releases a held loop. */
  release: (() => void) | null;
  finished: Set<number>;
  loop: Promise<void> | null;
}

let backend: BrowserBackend | null = null;
let trainer: Trainer | null = null;
let batch: Batch | null = null;
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
  check(c: Resolved, seeds = 1, labelsFile = false): Checked {
    try {
      const b = ready();
      const bytes = b.check(c);
      return { ok: true, bytes, together: seeds > 1 ? b.together(seedsOf(c, seeds), labelsFile) : null };
    } catch (e) {
      if (e instanceof ConfigError) return { ok: false, key: e.key, message: e.message };
      throw e;
    }
  },

  async create(c: Resolved, labelValues: Float64Array | undefined, onSetup: (e: SetupEvent) => void): Promise<Created> {
    if (trainer || batch) throw new Error('this worker already holds a trainer');
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

  /** The configs' runs prepared on the float64 reference, one after another, then put into one batch. */
  async createBatch(cs: Resolved[], onSetup: (e: SetupEvent) => void): Promise<CreatedBatch> {
    if (trainer || batch) throw new Error('this worker already holds a trainer');
    const start = performance.now();
    const setup = throttled(onSetup);
    const made = await ready().createBatch(cs, (e, i) => setup(i === undefined ? e : { ...e, phase: `seed ${i + 1} of ${cs.length}: ${e.phase}` }));
    batch = { ...made, abort: new AbortController(), holdAsked: false, release: null, finished: new Set(), loop: null };
    return {
      configs: made.states.map((s) => s.c), backend: made.engine.backend, memoryBytes: made.engine.memoryBytes,
      setupSeconds: (performance.now() - start) / 1000, size: made.engine.size,
    };
  },

  /** Trains the batch until every run has finished (or it is disposed); events come in order on `onEvent`. */
  async runBatch(onEvent: (e: BatchEvent) => unknown): Promise<void> {
    const b = batch;
    if (!b || b.loop) throw new Error('no batch to run');
    let sent: unknown = null;
    const send = (e: BatchEvent) => { sent = onEvent(e); };
    // Steps per second over the time the batch ran (a hold's wait is not counted).
    let ran = 0;
    let since = performance.now();
    const seconds = () => (ran + performance.now() - since) / 1000;
    const fresh = new Map<number, Row[]>();
    const report = () => {
      const progress = b.states.flatMap((s, i): [number, Progress][] => {
        if (b.finished.has(i)) return [];
        const rate = s.last.step / Math.max(seconds(), 1e-9);
        return [[i, { step: s.last.step, loss: s.last.loss, lossRatio: s.last.loss / s.last.loss0, stepsPerSecond: rate, etaSeconds: (s.c.steps - s.last.step) / rate }]];
      });
      send({ type: 'rows', rows: [...fresh], progress });
      fresh.clear();
    };
    b.loop = runBatchLoop(b.engine, b.states, b.logged, (i, result) => {
      // Its closing record first.
      report();
      b.finished.add(i);
      send({ type: 'finished', run: i, result });
    }, b.abort.signal, undefined, {
      onRow: (i, row) => {
        if (!fresh.has(i)) fresh.set(i, []);
        fresh.get(i)!.push(row);
      },
      afterSubmit: async () => {
        report();
        if (!b.holdAsked || b.finished.size === b.states.length || b.abort.signal.aborted) return;
        b.holdAsked = false;
        const results = b.states.flatMap((s, i): [number, RunResult][] => b.finished.has(i) ? [] : [[i, s.result(0, seconds())]]);
        ran += performance.now() - since;
        send({ type: 'held', results });
        await new Promise<void>((resolve) => { b.release = resolve; });
        since = performance.now();
      },
    });
    try {
      await b.loop;
    } finally {
      // The result waits until the page has taken the last event, so that a run's end follows its rows.
      await sent;
    }
  },

  /** Asks a running batch to stop at its next submit (the `held` event says when it has). */
  holdBatch(): void {
    if (batch && !batch.release) batch.holdAsked = true;
  },

  releaseBatch(): void {
    const release = batch?.release;
    if (!batch || !release) return;
    batch.release = null;
    release();
  },

  async dispose(): Promise<void> {
    trainer?.dispose();
    trainer = null;
    const b = batch;
    if (!b) return;
    batch = null;
    b.abort.abort();
    b.release?.();
    await b.loop?.catch(() => undefined);
    b.engine.dispose();
  },
};


export type TrainerWorker = typeof api;
expose(api);
