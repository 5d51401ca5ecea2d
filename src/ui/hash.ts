// The URL hash is the page's whole state: every config setting by its schema key, plus the
// page keys embed, hide, range, origin, seeds and autorun. Bad entries are collected, never thrown, so that a
// broken link still opens the page (with defaults) and says what it ignored.
import { ConfigError, SETTINGS, formatValue, parseValue, settingByKey, type Config, type SettingKey } from '../config/schema';

/** Parts of the page that `hide=` can name (each is an element with data-part="…"). */
export const PARTS = ['header', 'controls', 'buttons', 'plan', 'status', 'explain', 'loss', 'movement', 'activation', 'kernel', 'runs', 'share'] as const;
export type Part = (typeof PARTS)[number];

/** Charts whose y axis `range=` can fix (so that widgets side by side share their scales). */
export const RANGED = ['loss', 'movement', 'activation', 'kernel'] as const;
export type Ranged = (typeof RANGED)[number];

export interface PageOptions {
  embed: boolean;
  autorun: boolean;
  hide: Part[];
  /** Fixed y ranges, `range=movement:0.001..10,loss:1e-6..100`. */
  ranges?: Partial<Record<Ranged, [number, number]>>;
  /** The one origin whose postMessage requests are obeyed and that gets progress, `origin=https://example.org`. */
  origin?: string;
  /** Seeds from `seed` (seed, seed+1, …), run together as one batch or one after another, drawn as their median and quartiles, `seeds=5`. */
  seeds: number;
}

export interface HashState {
  /** Valid config settings as text, for buildConfig. */
  given: Partial<Record<SettingKey, string>>;
  page: PageOptions;
  /** One line per ignored entry, naming it and why. */
  ignored: string[];
}

/** Most seeds one Start runs: each is a whole run. */
export const MAX_SEEDS = 32;

/** The number of seeds in `text`, or null where it is not an integer in 1..MAX_SEEDS. */
export function seedCount(text: string): number | null {
  const k = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  return k >= 1 && k <= MAX_SEEDS ? k : null;
}

/** `text` when it is exactly an origin (no path, query or credentials), else null. */
function originOf(text: string): string | null {
  try {
    const u = new URL(text);
    return u.origin !== 'null' && u.origin === text ? u.origin : null;
  } catch {
    return null;
  }
}

/** A key from the URL, quoted and cut short for the notice (it is shown as text only). */
function quoted(key: string): string {
  return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
}

function flag(key: string, value: string, ignored: string[]): boolean {
  if (value === '1' || value === 'true') return true;
  if (value !== '0' && value !== 'false') ignored.push(`${key} must be 1 or 0; got ${quoted(value)}`);
  return false;
}

export function parseHash(hash: string): HashState {
  const given: HashState['given'] = {};
  const page: PageOptions = { embed: false, autorun: false, hide: [], seeds: 1 };
  const ignored: string[] = [];
  for (const [key, value] of new URLSearchParams(hash.replace(/^#/, ''))) {
    if (key === 'embed') page.embed = flag(key, value, ignored);
    else if (key === 'autorun') page.autorun = flag(key, value, ignored);
    else if (key === 'hide') {
      for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
        if ((PARTS as readonly string[]).includes(part)) page.hide.push(part as Part);
        else ignored.push(`hide: unknown part ${quoted(part)} (parts: ${PARTS.join(', ')})`);
      }
    } else if (key === 'origin') {
      const o = originOf(value);
      if (o) page.origin = o;
      else ignored.push(`origin must be a scheme, host and port, like https://example.org; got ${quoted(value)}`);
    } else if (key === 'seeds') {
      const k = seedCount(value);
      if (k) page.seeds = k;
      else ignored.push(`seeds must be an integer from 1 to ${MAX_SEEDS}; got ${quoted(value)}`);
    } else if (key === 'range') {
      for (const entry of value.split(',').map((p) => p.trim()).filter(Boolean)) {
        const m = /^(\w+):(.+?)\.\.(.+)$/.exec(entry);
        const [lo, hi] = m ? [Number(m[2]), Number(m[3])] : [NaN, NaN];
        if (!m || !(RANGED as readonly string[]).includes(m[1]) || !(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi))
          ignored.push(`range: ${quoted(entry)} is not chart:low..high with low < high (charts: ${RANGED.join(', ')})`);
        else (page.ranges ??= {})[m[1] as Ranged] = [lo, hi];
      }
    } else {
      const s = settingByKey(key);
      if (!s) {
        ignored.push(`unknown key ${quoted(key)}`);
        continue;
      }
      try {
        parseValue(s, value);
        given[s.key] = value;
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        ignored.push(e.message);
      }
    }
  }
  return { given, page, ignored };
}

/** Keeps ':' and ',' readable (both are legal in a fragment); everything else is escaped. */
function encode(text: string): string {
  return encodeURIComponent(text).replace(/%3A/gi, ':').replace(/%2C/gi, ',');
}

/** Every setting is written, so a link reproduces the run even if defaults change later. */
export function formatHash(config: Config, page: PageOptions): string {
  const parts = SETTINGS.map((s) => `${s.key}=${encode(formatValue(s.key, config[s.key]))}`);
  if (page.embed) parts.push('embed=1');
  if (page.hide.length) parts.push(`hide=${page.hide.join(',')}`);
  const ranges = Object.entries(page.ranges ?? {});
  if (ranges.length) parts.push(`range=${ranges.map(([id, [lo, hi]]) => `${id}:${lo}..${hi}`).join(',')}`);
  if (page.seeds > 1) parts.push(`seeds=${page.seeds}`);
  if (page.origin) parts.push(`origin=${encode(page.origin)}`);
  if (page.autorun) parts.push('autorun=1');
  return '#' + parts.join('&');
}
