// An exclusive lock on an output file: PATH.lock, created with O_EXCL, holding the holder's
// pid and host, so that a refusal names the holder and a lock whose process has died on this
// host is known to be stale. (proper-lockfile would not name the holder, and its staleness is
// an mtime that a live holder must keep refreshing.)
import { hostname } from 'node:os';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { ConfigError } from '../config/schema';

interface Holder {
  pid: number;
  host: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(lock: string): Holder | null {
  try {
    const h = JSON.parse(readFileSync(lock, 'utf8')) as Holder;
    return Number.isInteger(h.pid) && typeof h.host === 'string' ? h : null;
  } catch {
    return null;
  }
}

/** Takes PATH.lock or refuses with one line naming `where` and the holder; returns the release. */
export function lockFile(path: string, where: string): () => void {
  const lock = `${path}.lock`;
  const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(lock, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new ConfigError('out', `${where}: cannot create the lock ${lock}: ${(e as Error).message}`);
      const h = readHolder(lock);
      // A dead holder on this host left it: take it over, once (another sweep may be doing the same).
      if (h && h.host === me.host && !alive(h.pid) && attempt === 0) {
        rmSync(lock, { force: true });
        continue;
      }
      const who = h ? `process ${h.pid} on ${h.host}, since ${h.since}` : `an unknown process (${lock} is unreadable)`;
      throw new ConfigError('out', `${where}: another sweep is writing it (${who}); wait for it, or remove ${lock} if that process is gone`);
    }
    writeSync(fd, JSON.stringify(me) + '\n');
    closeSync(fd);
    let held = true;
    return () => {
      if (held && readHolder(lock)?.pid === me.pid) rmSync(lock, { force: true });
      held = false;
    };
  }
}
