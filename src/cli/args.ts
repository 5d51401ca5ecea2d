// The one command-line parser of every subcommand. Node's util.parseArgs splits argv into
// tokens (--name value, --name=value, -h, --), so no dependency and no hand-written
// tokenizer; this module checks the tokens against the command's table of flags (its own,
// plus the config settings' from the schema), so that every command takes the same forms
// and reports an unknown, repeated or valueless flag in the same one line.
import { parseArgs } from 'node:util';
import { ConfigError, PRESETS, SETTINGS, formatValue, settingByFlag, settingByKey, type SettingKey } from '../config/schema';
import { VARIANTS } from '../gpu/variants';
import { defaultWorkers } from '../sweep/pool_node';

/** One of a command's own flags: a `value` flag takes one, a `switch` none (given bare). */
export interface Flag {
  kind: 'value' | 'switch';
  help: string;
  /** The value's name in the help: --out DIR. */
  arg?: string;
  /** The values allowed, checked here. */
  choices?: readonly string[];
  default?: string;
  /** Given once per item (sweep's --grid): the values in order. */
  multiple?: boolean;
}

export type Flags = Record<string, Flag>;

export interface Command<F extends Flags> {
  /** As typed after shallow-gd; errors point at its --help. */
  name: string;
  flags: F;
  /** Takes the config settings as flags (--n 64, --spectrum). */
  config?: boolean;
  /** Takes positional arguments (merge's files); elsewhere a stray word is an error. */
  positionals?: boolean;
  /** Flags of another command that this one refuses, with why (completing "--force …"). */
  refused?: Record<string, string>;
}

type Value<F extends Flag> = F extends { kind: 'switch' } ? boolean
  : F extends { multiple: true } ? string[]
  : (F extends { choices: readonly (infer C)[] } ? C : string) | (F extends { default: string } ? never : undefined);

export interface Parsed<F extends Flags> {
  flags: { [K in keyof F]: Value<F[K]> };
  /** The config settings given, as typed (buildConfig checks them). */
  given: Partial<Record<SettingKey, string>>;
  positionals: string[];
  help: boolean;
}

const HELP: Flag = { kind: 'switch', help: 'print this help' };

/** parseArgs' view of the config flags: a true/false setting is a boolean, so that bare it takes no value. */
const CONFIG_OPTIONS = Object.fromEntries(
  SETTINGS.map((s) => [s.flag, { type: s.kind.type === 'bool' ? ('boolean' as const) : ('string' as const) }]),
);

export function parse<F extends Flags>(command: Command<F>, argv: readonly string[]): Parsed<F> {
  const flags: Flags = { ...command.flags, help: HELP };
  const options = {
    ...(command.config ? CONFIG_OPTIONS : {}),
    ...Object.fromEntries(Object.entries(flags).map(([name, f]) => [name, { type: f.kind === 'switch' ? ('boolean' as const) : ('string' as const) }])),
    help: { type: 'boolean' as const, short: 'h' },
  };
  // Not strict: strict mode refuses --spectrum=false and a value starting with "-" (--eta-w -1,
  // which the schema should report); the checks below replace it.
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const see = `see shallow-gd ${command.name} --help`;
  const values: Record<string, string | string[] | boolean | undefined> = {};
  const given: Partial<Record<SettingKey, string>> = {};
  const positionals: string[] = [];
  const seen = new Set<string>();
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind === 'option-terminator') continue;
    if (t.kind === 'positional') {
      if (!command.positionals) throw new ConfigError(command.name, `unexpected argument ${JSON.stringify(t.value)} (${see})`);
      positionals.push(t.value);
      continue;
    }
    const { name, rawName } = t;
    const refusal = command.refused?.[name];
    if (refusal) throw new ConfigError(name, `${rawName} ${refusal}`);
    const flag = flags[name];
    const setting = command.config ? settingByFlag(name) : undefined;
    // parseArgs reads -x as --x; only -h is a short flag here.
    if ((!flag && !setting) || (rawName !== `--${name}` && rawName !== '-h')) throw new ConfigError(name, `unknown flag ${rawName} (${see})`);
    if (seen.has(name) && !flag?.multiple) throw new ConfigError(name, `${rawName} is given more than once: give it once`);
    seen.add(name);
    if (setting?.kind.type === 'bool') {
      // Bare means true; --spectrum=false, and --spectrum true as the README writes it, also work.
      const next = tokens[k + 1];
      if (t.value === undefined && next?.kind === 'positional' && (next.value === 'true' || next.value === 'false')) {
        given[setting.key] = next.value;
        k++;
      } else given[setting.key] = t.value ?? 'true';
      continue;
    }
    if (flag?.kind === 'switch') {
      if (t.value !== undefined) throw new ConfigError(name, `${rawName} takes no value`);
      values[name] = true;
      continue;
    }
    // parseArgs takes the next token as the value even when it is the next flag (--out --force).
    if (!t.value || (!t.inlineValue && t.value.startsWith('--'))) throw new ConfigError(name, `${rawName} needs a value`);
    if (setting) given[setting.key] = t.value;
    else if (flag.choices && !flag.choices.includes(t.value))
      throw new ConfigError(name, `${rawName} must be one of ${flag.choices.join(', ')}; got ${JSON.stringify(t.value)}`);
    else if (flag.multiple) values[name] = [...((values[name] as string[] | undefined) ?? []), t.value];
    else values[name] = t.value;
  }
  for (const [name, f] of Object.entries(flags)) values[name] ??= f.kind === 'switch' ? false : f.multiple ? [] : f.default;
  const { help, ...own } = values;
  return { flags: own as Parsed<F>['flags'], given, positionals, help: help as boolean };
}

/** Help lines of a table of flags, one per flag: `  --out DIR  what it does [default]`. */
export function flagLines(flags: Flags): string[] {
  const heads = Object.entries(flags).map(([name, f]) => `--${name}${f.arg ? ` ${f.arg}` : ''}`);
  const width = Math.max(...heads.map((h) => h.length));
  return Object.values(flags).map((f, k) => `  ${heads[k].padEnd(width)}  ${f.help}${f.default === undefined ? '' : ` [${f.default}]`}`);
}

/** Help lines of the config flags, from the schema. */
export function configLines(): string[] {
  const width = Math.max(...SETTINGS.map((s) => s.flag.length)) + 2;
  return SETTINGS.map((s) => `  ${`--${s.flag}`.padEnd(width)}  ${s.help} [${formatValue(s.key, s.default)}]`);
}

/** Help lines of the presets: what each is and the settings it sets, as flags. */
export function presetLines(): string[] {
  const width = Math.max(...Object.keys(PRESETS).map((p) => p.length));
  return Object.entries(PRESETS).map(([name, p]) => {
    const sets = Object.entries(p.values).map(([key, v]) => `--${settingByKey(key)!.flag} ${v}`).join(' ');
    return `  ${name.padEnd(width)}  ${p.help}: ${sets}`;
  });
}

// Flags that several commands share.
export const BACKEND = {
  kind: 'value', choices: ['auto', 'webgpu', 'cpu'], default: 'auto',
  help: 'auto (WebGPU on a hardware adapter; else the float64 CPU reference, faster than a software adapter such as SwiftShader), webgpu, or cpu',
} as const satisfies Flag;
export type BackendChoice = (typeof BACKEND.choices)[number];

export const KERNEL = {
  kind: 'value', arg: 'K=V',
  help: `force a kernel variant (${Object.entries(VARIANTS).map(([k, v]) => `${k}=${v.join('|')}`).join(', ')}); default: chosen per adapter`,
} as const satisfies Flag;

export const WORKERS = { kind: 'value', arg: 'N', help: 'threads that train runs on the CPU reference at once [one per core]' } as const satisfies Flag;

/** `--workers N`: a whole number ≥ 1, one per core when not given. */
export function parseWorkers(text: string | undefined): number {
  if (text === undefined) return defaultWorkers();
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new ConfigError('workers', `--workers must be a whole number from 1 to 1024; got ${JSON.stringify(text)}`);
  return n;
}

export const JSON_SUMMARY = { kind: 'switch', help: 'print the summary as JSON' } as const satisfies Flag;
