// A control for every config setting, built from the schema table and grouped as it is.
// Each field is parsed as the user types with the schema's parseValue, so the page shows
// the CLI's messages (in the page's words: settings named by their labels); the whole config
// then goes through buildConfig.
import type { Resolved } from '../config/resolve';
import {
  ConfigError, PRESETS, SETTINGS, buildConfig, formatValue, parseValue, type Config, type PresetName, type Setting, type SettingKey,
} from '../config/schema';
import { decodeNpy } from '../io/npy';
import { el } from './dom';
import { num } from '../train/format';
import { inPageWords } from './words';

const GROUPS: { group: Setting['group']; title: string; open: boolean }[] = [
  { group: 'problem', title: 'Problem: data and labels', open: true },
  { group: 'model', title: 'Model', open: true },
  { group: 'training', title: 'Training', open: true },
  { group: 'run', title: 'Logging and memory', open: false },
];

const NO_UPLOAD = 'choose the .npy file to upload (a page cannot read paths)';

/** Settings placed by the page itself rather than in the groups. */
const OUTSIDE_GROUPS: SettingKey[] = ['preset', 'stopAtEps'];

interface Field {
  setting: Setting;
  /** The value as the schema's text form. */
  text(): string;
  set(text: string): void;
  error: HTMLElement;
  hint: HTMLElement;
}

export interface FormState {
  config: Config | null;
  /** Messages by setting, shown under their fields. */
  errors: Map<SettingKey, string>;
  labelValues?: Float64Array;
}

/** Uploaded .npy labels: the page cannot read `file:` paths from disk. */
interface Upload {
  name: string;
  values?: Float64Array;
  shape?: number[];
  error?: string;
}

export class SettingsForm {
  private readonly fields = new Map<SettingKey, Field>();
  private upload: Upload | null = null;

  /**
   * @param root where the groups go
   * @param slots where the settings outside the groups go (preset, stopAtEps)
   * @param onChange called after any edit, once the fields are in their new state
   */
  constructor(
    root: HTMLElement,
    slots: Record<'preset' | 'stopAtEps', HTMLElement>,
    private readonly onChange: () => void,
  ) {
    for (const key of OUTSIDE_GROUPS) slots[key as keyof typeof slots].append(this.field(SETTINGS.find((s) => s.key === key)!));
    for (const g of GROUPS) {
      const box = el('details', { open: g.open, className: 'group' }, el('summary', { textContent: g.title }));
      for (const s of SETTINGS) if (s.group === g.group && !OUTSIDE_GROUPS.includes(s.key)) box.append(this.field(s));
      root.append(box);
    }
    this.presetHint();
  }

  /** Sets every field from a config (a preset choice, a link, or a parent's start message). */
  set(config: Config): void {
    for (const [key, f] of this.fields) f.set(formatValue(key, config[key]));
    this.presetHint();
    this.validate();
  }

  /** Parses every field; the config is null while any is invalid. */
  read(): FormState {
    const errors = new Map<SettingKey, string>();
    const given: Partial<Record<SettingKey, string>> = {};
    for (const [key, f] of this.fields) {
      given[key] = f.text();
      try {
        parseValue(f.setting, given[key]);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        errors.set(key, given[key] === 'file:' ? `--labels (labels) file: ${NO_UPLOAD}` : e.message);
      }
    }
    let config: Config | null = null;
    if (errors.size === 0) {
      try {
        config = buildConfig(given);
      } catch (e) {
        // Settings valid alone but not together (linearized with n > 4096): at the setting named
        // (and in the plan line, which lists every error).
        if (!(e instanceof ConfigError)) throw e;
        errors.set(e.key as SettingKey, e.message);
      }
      const problem = config && this.labelProblem(config);
      if (problem) errors.set('labels', problem);
    }
    const labelValues = config?.labels.kind === 'file' ? this.upload?.values : undefined;
    for (const [key, message] of errors) errors.set(key, inPageWords(message));
    return { config: errors.size ? null : config, errors, labelValues };
  }

  /** Shows each field's message (or clears it); returns the state read. */
  validate(): FormState {
    const state = this.read();
    for (const [key, f] of this.fields) {
      const message = state.errors.get(key) ?? '';
      f.error.textContent = message;
      f.error.hidden = !message;
      f.error.parentElement!.classList.toggle('invalid', Boolean(message));
    }
    return state;
  }

  /** What `auto` rates resolved to, beside the rate fields. */
  showResolved(r: Resolved | null): void {
    for (const key of ['etaW', 'etaA'] as const) {
      this.fields.get(key)!.hint.textContent = r ? `= ${num(r[key])} (${r.rateRule[key]})` : '';
    }
  }

  /** The same checks the CLI makes on a labels file, against the upload. */
  private labelProblem(c: Config): string | null {
    if (c.labels.kind !== 'file') return null;
    const where = `--labels (labels) file:${c.labels.path}`;
    const u = this.upload;
    if (!u || u.name !== c.labels.path) return `${where}: ${NO_UPLOAD}`;
    if (u.error) return `${where}: ${u.error}`;
    if (u.values!.length !== c.n || u.shape!.filter((x) => x !== 1).length > 1)
      return `${where}: must hold n = ${c.n} values (shape (${c.n},)); it has shape (${u.shape!.join(', ')})`;
    if (!u.values!.every(Number.isFinite)) return `${where}: every label must be finite`;
    return null;
  }

  private changed(): void {
    this.validate();
    this.onChange();
  }

  private field(s: Setting): HTMLElement {
    const error = el('div', { className: 'error', hidden: true });
    const hint = el('div', { className: 'hint' });
    const id = `setting-${s.key}`;
    const wrap = el('div', { className: `field field-${s.kind.type}` });
    const label = el('label', { htmlFor: id, title: s.help }, el('code', { textContent: s.key }));
    // A checkbox's label already reads as its help's first clause: the help says only the rest.
    const help = el('div', { className: 'help', textContent: s.kind.type === 'bool' ? s.help.split(';').slice(1).join(';').trim() : s.help });
    let control: Pick<Field, 'text' | 'set'>;
    switch (s.kind.type) {
      case 'enum': {
        const select = el('select', { id, name: s.key });
        for (const v of s.kind.values) select.append(el('option', { value: v, textContent: v }));
        select.addEventListener('change', () => {
          if (s.key === 'preset') this.applyPreset(select.value as PresetName);
          this.changed();
        });
        control = { text: () => select.value, set: (t) => { select.value = t; } };
        wrap.append(label, select);
        break;
      }
      case 'bool': {
        const box = el('input', { id, name: s.key, type: 'checkbox' });
        box.addEventListener('change', () => this.changed());
        control = { text: () => String(box.checked), set: (t) => { box.checked = t === 'true'; } };
        // A checkbox reads as a sentence: its key, then what it does when ticked.
        label.append(` ${s.help.split(';')[0]}`);
        wrap.append(box, label);
        break;
      }
      case 'labels':
        control = this.labelsControl(id, wrap, label);
        break;
      default: {
        // Text, not type=number: the schema is the judge of what a number is, with its own messages.
        const input = el('input', { id, name: s.key, type: 'text', inputMode: 'decimal', spellcheck: false, autocomplete: 'off' });
        if (s.kind.type === 'rate') input.placeholder = s.kind.allowSame ? 'number, auto or same' : 'number or auto';
        input.addEventListener('input', () => this.changed());
        control = { text: () => input.value, set: (t) => { input.value = t; } };
        wrap.append(label, input);
      }
    }
    control.set(formatValue(s.key, s.default));
    wrap.append(hint, error, help);
    this.fields.set(s.key, { setting: s, ...control, error, hint });
    return wrap;
  }

  /** Kind (sign, gaussian, teacher, adversarial, file), the teacher's width, and the .npy upload. */
  private labelsControl(id: string, wrap: HTMLElement, label: HTMLElement): Pick<Field, 'text' | 'set'> {
    const kind = el('select', { id, name: 'labels' });
    for (const v of ['sign', 'gaussian', 'teacher', 'adversarial', 'file']) kind.append(el('option', { value: v, textContent: v === 'file' ? 'file (.npy)' : v }));
    const width = el('input', { type: 'text', inputMode: 'numeric', name: 'labels-teacher', title: 'teacher width m*', placeholder: 'm*', value: '16', className: 'teacher-width' });
    const file = el('input', { type: 'file', accept: '.npy', name: 'labels-file', title: 'n labels as a .npy array' });
    let fileName = '';
    const sync = () => {
      width.hidden = kind.value !== 'teacher';
      file.hidden = kind.value !== 'file';
    };
    kind.addEventListener('change', () => {
      sync();
      this.changed();
    });
    width.addEventListener('input', () => this.changed());
    file.addEventListener('change', async () => {
      const chosen = file.files?.[0];
      if (!chosen) return;
      fileName = chosen.name;
      try {
        const { data, shape } = decodeNpy(new Uint8Array(await chosen.arrayBuffer()));
        this.upload = { name: chosen.name, values: data, shape };
      } catch (e) {
        this.upload = { name: chosen.name, error: (e as Error).message };
      }
      this.changed();
    });
    wrap.append(label, el('div', { className: 'labels-row' }, kind, width, file));
    return {
      text: () => (kind.value === 'teacher' ? `teacher:${width.value.trim()}` : kind.value === 'file' ? `file:${fileName}` : kind.value),
      set: (t) => {
        const [k, rest] = [t.split(':')[0], t.slice(t.indexOf(':') + 1)];
        kind.value = k;
        if (k === 'teacher') width.value = rest;
        if (k === 'file') fileName = rest;
        sync();
      },
    };
  }

  private applyPreset(p: PresetName): void {
    for (const [key, v] of Object.entries(PRESETS[p].values)) this.fields.get(key as SettingKey)!.set(formatValue(key as SettingKey, v as Config[SettingKey]));
    this.presetHint();
  }

  private presetHint(): void {
    const f = this.fields.get('preset')!;
    f.hint.textContent = PRESETS[f.text() as PresetName].help;
  }
}
