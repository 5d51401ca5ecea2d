// The command line's output files: paths checked before any work, files that are never seen
// truncated under their final names, and rows appended as they come.
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readlinkSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from '../config/schema';

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'not permitted (an immutable or protected folder)',
  EROFS: 'a read-only file system',
  ENOSPC: 'no space left on the device',
  EFBIG: 'larger than this process may write (a file size limit)',
  EIO: 'an input/output error of the device',
  EDQUOT: 'over the disk quota',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOENT: 'the folder cannot hold new files',
  EISDIR: 'it is a folder',
  ELOOP: 'a loop of symbolic links',
  ENAMETOOLONG: 'the name is too long',
};

/** A write that failed once the work had started: one line naming the file and why. */
export class WriteError extends Error {
  constructor(readonly path: string, cause: unknown) {
    super(`cannot write ${path}: ${reason(cause)}`);
  }
}

/** Runs a write, turning a file system error into a WriteError that names `path`. */
export function writing<T>(path: string, write: () => T): T {
  try {
    return write();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) throw new WriteError(path, e);
    throw e;
  }
}

export function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code && REASONS[code]) ?? (e as Error).message;
}

function kind(path: string): 'missing' | 'folder' | 'file' | 'dangling' | 'other' {
  let l;
  try {
    l = lstatSync(path);
  } catch {
    return 'missing';
  }
  try {
    const s = statSync(path);
    return s.isDirectory() ? 'folder' : s.isFile() ? 'file' : 'other';
  } catch {
    return l.isSymbolicLink() ? 'dangling' : 'other';
  }
}

/**
 * Creates each missing folder of `dir` one at a time: mkdirSync's recursive mode loops forever
 * where a parent refuses new entries with ENOENT (/proc).
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let p = resolve(dir); kind(p) === 'missing'; p = dirname(p)) missing.unshift(p);
  for (const p of missing) mkdirSync(p);
}

/** Writes and removes a probe file in `dir`: a folder can exist and still refuse files. */
function probe(dir: string): void {
  const path = join(dir, `.shallow-gd-probe-${process.pid}`);
  closeSync(openSync(path, 'wx'));
  unlinkSync(path);
}

/** `where` (e.g. "--out runs") names the flag in the one-line refusal. */
function refuse(where: string, path: string, what: string): never {
  throw new ConfigError('out', `${where}: cannot write ${path}: ${what}`);
}

function describeOdd(path: string, k: ReturnType<typeof kind>): string | null {
  if (k === 'dangling') return `it is a symbolic link to ${readlinkSync(path)}, which does not exist`;
  if (k === 'other') return 'it is neither a file nor a folder';
  return null;
}

/** Finds or creates the folder `dir` and checks that it takes new files; refuses with one line naming `where`. */
export function prepareFolder(where: string, dir: string): void {
  const k = kind(dir);
  if (k === 'file') refuse(where, dir, 'it is a file, not a folder');
  const odd = describeOdd(dir, k);
  if (odd) refuse(where, dir, odd);
  try {
    makeFolders(dir);
    probe(dir);
  } catch (e) {
    refuse(where, dir, reason(e));
  }
}

/** Checks that `file` can be written (created or replaced), creating its folder; refuses with one line naming `where`. */
export function prepareFile(where: string, file: string): void {
  const k = kind(file);
  if (k === 'folder') refuse(where, file, 'it is a folder; a file is needed');
  const odd = describeOdd(file, k);
  if (odd) refuse(where, file, odd);
  try {
    makeFolders(dirname(resolve(file)));
    probe(dirname(resolve(file)));
    // An existing file is replaced by a rename, but its own permissions may still forbid it elsewhere.
    if (k === 'file') closeSync(openSync(file, 'r+'));
  } catch (e) {
    refuse(where, file, reason(e));
  }
}

/** The temporary name of a file being written: hidden, in the same folder (so that rename is atomic), and ours. */
export function temporaryName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

/** Temporary files this process left, removed where it stops at once (a second Ctrl-C). */
const inProgress = new Set<string>();

export function removeTemporaryFiles(): void {
  for (const t of inProgress) rmSync(t, { force: true });
}

/**
 * Writes `path` under a temporary name, syncs it, then renames it: a crash leaves the old file
 * or the new one, never a truncated one. (By hand rather than write-file-atomic, whose exit
 * hook deletes the temporary file on the first SIGINT, the signal that here means "stop and save".)
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = temporaryName(path);
  inProgress.add(tmp);
  try {
    writing(path, () => {
      const fd = openSync(tmp, 'w');
      try {
        writeFileSync(fd, data);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
    });
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    inProgress.delete(tmp);
  }
}

export interface Appender {
  /** Written to the file at once (one write call per text), so that a killed process keeps every whole line before it. */
  append(text: string): void;
  close(): void;
}

/** Creates (or empties) `path` and appends to it. */
export function openAppender(path: string): Appender {
  const fd = writing(path, () => openSync(path, 'w'));
  return {
    append(text) {
      writing(path, () => writeSync(fd, text));
    },
    close() {
      writing(path, () => {
        fsyncSync(fd);
        closeSync(fd);
      });
    },
  };
}
