// The suite's finished runs in the report's folder, runs.jsonl: a sweep record per line with
// the run's logged rows and, where its chart needs them, its tensors (float32, base64), each
// appended and synced as the run finishes. An interrupted suite loses only its runs in progress,
// and the same command resumes it (a run's id is its settings: a kept run is that run).
import { existsSync } from 'node:fs';
import { lockFile } from '../io/lock_node';
import type { Tensors } from '../model/engine';
import type { Row } from '../model/metrics';
import { openRecordWriter, readRecordFile } from '../sweep/records';
import type { SweepRecord } from '../sweep/record';
import type { SuiteRecord } from './suite';

export const RUNS_FILE = 'runs.jsonl';

type StoredTensors = Record<keyof Tensors, string>;

const encode = (t: Float32Array) => Buffer.from(t.buffer, t.byteOffset, t.byteLength).toString('base64');
const decode = (s: string) => {
  const b = Buffer.from(s, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
/** JSON writes NaN and ±Infinity as null: a row (the rows and the record's final one) reads back with NaN there, as the suite had it in memory. */
const rowBack = (row: Row): Row => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? NaN : v])) as unknown as Row;

export interface SuiteRuns {
  /** The runs an earlier, interrupted suite finished, by id. */
  readonly kept: ReadonlyMap<string, SuiteRecord>;
  /** Whether the file's last line was a cut-off write (that run trains again). */
  readonly truncated: boolean;
  append(r: SuiteRecord): void;
  /** Closes the file and releases its lock. */
  close(): void;
}

/** Opens (and locks) `path` for the suite; `where` names it in errors. */
export function openSuiteRuns(path: string, where: string): SuiteRuns {
  const release = lockFile(path, where);
  try {
    const file = existsSync(path) ? readRecordFile(path, where) : { records: [], completeBytes: 0, truncated: false };
    const kept = new Map<string, SuiteRecord>();
    for (const r of file.records as (SweepRecord & { rows?: Row[]; tensors?: StoredTensors })[]) {
      const { tensors, rows, ...record } = r;
      kept.set(r.id, {
        ...record,
        final: rowBack(record.final),
        rows: (rows ?? []).map(rowBack),
        ...(tensors ? { tensors: Object.fromEntries(Object.entries(tensors).map(([k, v]) => [k, decode(v)])) as unknown as Tensors } : {}),
      });
    }
    const writer = openRecordWriter(path, file.completeBytes);
    let open = true;
    return {
      kept,
      truncated: file.truncated,
      append({ tensors, ...r }) {
        const stored = tensors ? { tensors: Object.fromEntries(Object.entries(tensors).map(([k, v]) => [k, encode(v as Float32Array)])) } : {};
        writer.append({ ...r, ...stored } as SweepRecord);
      },
      close() {
        if (!open) return;
        open = false;
        writer.close();
        release();
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}
