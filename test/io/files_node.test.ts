// The atomic write: the final name holds the old file or the whole new one, never a part.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { writeFileAtomic } from '../../src/io/files_node';

/** What each rename saw: the temporary file's bytes and the final name's content just before it. */
const renames = vi.hoisted(() => ({ seen: [] as { from: string; bytes: number; before: string | null }[], fail: false }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const renameSync: typeof fs.renameSync = (from, to) => {
    renames.seen.push({ from: String(from), bytes: fs.readFileSync(from).length, before: fs.existsSync(to) ? fs.readFileSync(to, 'utf8') : null });
    if (renames.fail) throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
    fs.renameSync(from, to);
  };
  return { ...fs, default: { ...fs, renameSync }, renameSync };
});

const folder = () => mkdtempSync(join(tmpdir(), 'shallow-gd-files-'));

describe('writeFileAtomic', () => {
  it('writes the whole file under a temporary name in the same folder, then renames it over the old one', () => {
    const dir = folder();
    const path = join(dir, 'W.npy');
    writeFileSync(path, 'old');
    renames.seen.length = 0;
    writeFileAtomic(path, new Uint8Array(100_000).fill(7));
    expect(renames.seen).toHaveLength(1);
    const [r] = renames.seen;
    expect(r.from.startsWith(join(dir, '.W.npy.'))).toBe(true);
    // Up to the rename the final name held the old file, and the temporary one every byte.
    expect(r).toMatchObject({ bytes: 100_000, before: 'old' });
    expect(readFileSync(path)).toEqual(Buffer.from(new Uint8Array(100_000).fill(7)));
    expect(readdirSync(dir)).toEqual(['W.npy']);
  });

  it('leaves the old file and no temporary one when the write fails', () => {
    const dir = folder();
    const path = join(dir, 'summary.json');
    writeFileSync(path, '{"old":true}');
    renames.fail = true;
    try {
      // One line naming the file and why (the command prints it as it is).
      expect(() => writeFileAtomic(path, '{"new":true}')).toThrow(`cannot write ${path}: an input/output error of the device`);
    } finally {
      renames.fail = false;
    }
    expect(readFileSync(path, 'utf8')).toBe('{"old":true}');
    expect(readdirSync(dir)).toEqual(['summary.json']);
    expect(existsSync(renames.seen.at(-1)!.from)).toBe(false);
  });
});
