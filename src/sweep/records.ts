// Sweep results as JSON lines: one record per finished run, appended and synced one at a
// time so that a killed job loses at most the run in progress.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs';
import type { Resolved } from '../config/resolve';
import { ConfigError, type Config } from '../config/schema';
import { writing } from '../io/files_node';
import type { SweepRecord } from './record';

/** How every line starts: toRecord puts the id first. */
const RECORD_START = '{"id":';

/** Why x is not a record, or null: the fields summaries and resuming rely on. */
function defect(x: unknown): string | null {
  if (typeof x !== 'object' || x === null) return 'not a JSON object';
  const r = x as Partial<Record<keyof SweepRecord, unknown>>;
  if (typeof r.id !== 'string') return 'no id';
  const s = r.settings as Partial<Config> | undefined;
  if (typeof s !== 'object' || s === null || ![s.m, s.n, s.d].every(Number.isInteger)) return 'no settings with m, n, d';
  const c = r.config as Partial<Resolved> | undefined;
  if (typeof c !== 'object' || c === null || typeof c.etaW !== 'number' || typeof c.etaA !== 'number') return 'no config with numeric rates';
  if (typeof r.converged !== 'boolean') return 'no converged flag';
  if (r.steps_to_eps !== null && typeof r.steps_to_eps !== 'number') return 'steps_to_eps is neither a number nor null';
  return null;
}

export interface RecordFile {
  records: SweepRecord[];
  /** Bytes up to the end of the last complete line: where appending resumes. */
  completeBytes: number;
  /** A last line without its newline: a write cut short, ignored. */
  truncated: boolean;
}

/** Reads a sweep file; `where` names it in errors (e.g. "--out runs.jsonl"). */
export function readRecordFile(path: string, where: string): RecordFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new ConfigError('out', `${where}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  // Every record is written with its newline in one write, so text after the last newline is a cut-off write.
  const completeBytes = bytes.lastIndexOf(0x0a) + 1;
  const records: SweepRecord[] = [];
  const lines = bytes.subarray(0, completeBytes).toString('utf8').split('\n');
  lines.pop();
  lines.forEach((line, k) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    const why = parsed === undefined ? 'not JSON' : defect(parsed);
    if (why) throw new ConfigError('out', `${where}: line ${k + 1} is not a sweep record (${why}); sweep files hold one JSON object per line`);
    records.push(parsed as SweepRecord);
  });
  const tail = bytes.subarray(completeBytes).toString('utf8');
  // Only the start of a record is a cut-off write; anything else (a text file, a minified .json) is not a sweep's file.
  if (tail !== '' && !tail.startsWith(RECORD_START))
    throw new ConfigError('out', `${where}: its last line is not a sweep record; sweep files hold one JSON object per line, so this file is left as it is`);
  return { records, completeBytes, truncated: tail !== '' };
}

export interface RecordWriter {
  append(r: SweepRecord): void;
  close(): void;
}

/** Opens a sweep file for appending after its first `keepBytes` bytes (dropping a cut-off last line). */
export function openRecordWriter(path: string, keepBytes: number): RecordWriter {
  const fd = writing(path, () => {
    if (existsSync(path) && statSync(path).size > keepBytes) truncateSync(path, keepBytes);
    return openSync(path, 'a');
  });
  return {
    append(r) {
      writing(path, () => {
        writeSync(fd, JSON.stringify(r) + '\n');
        // Synced too, so that even a crashed node keeps every finished run.
        fsyncSync(fd);
      });
    },
    close() {
      writing(path, () => closeSync(fd));
    },
  };
}
