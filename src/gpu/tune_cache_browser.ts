// The autotuner's cache in the page: one IndexedDB object store, keyed as in Node (tuneKey).
import type { TuneCache, TunedChoice } from './autotune';

const DB = 'shallow-gd';
const STORE = 'autotune';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function request<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return open().then((db) => new Promise<T>((resolve, reject) => {
    const req = act(db.transaction(STORE, mode).objectStore(STORE));
    req.onsuccess = () => { resolve(req.result); db.close(); };
    req.onerror = () => { reject(req.error); db.close(); };
  }));
}

/** A cache in IndexedDB; where the page has none (private modes), one that keeps nothing. */
export function indexedDbTuneCache(): TuneCache {
  if (typeof indexedDB === 'undefined') return { get: async () => undefined, set: async () => {} };
  return {
    get: (key) => request<TunedChoice | undefined>('readonly', (s) => s.get(key)).catch(() => undefined),
    set: (key, choice) => request('readwrite', (s) => s.put(choice, key)).then(() => undefined, () => undefined),
  };
}
