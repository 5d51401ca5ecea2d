// The autotuner's cache in Node: one JSON file under the user's cache folder
// ($XDG_CACHE_HOME/shallow-gd/autotune.json, default ~/.cache/shallow-gd), written atomically.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../io/files_node';
import type { TuneCache, TunedChoice } from './autotune';

export function tuneCacheFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'shallow-gd', 'autotune.json');
}

/** A cache over `file`; an unreadable or foreign file counts as empty (and is replaced on the next choice). */
export function fileTuneCache(file = tuneCacheFile()): TuneCache {
  const load = (): Record<string, TunedChoice> => {
    if (!existsSync(file)) return {};
    try {
      const data = JSON.parse(readFileSync(file, 'utf8'));
      return data && typeof data === 'object' && !Array.isArray(data) ? data : {};
    } catch {
      return {};
    }
  };
  return {
    async get(key) {
      return load()[key];
    },
    async set(key, choice) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileAtomic(file, JSON.stringify({ ...load(), [key]: choice }, null, 2) + '\n');
    },
  };
}
