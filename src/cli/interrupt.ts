// Ctrl-C (SIGINT) and SIGTERM: while work can be saved, the first stops it at its next step
// boundary and the command writes what it has; otherwise, or at a second signal, the process
// exits at once. Either way the exit code is 128 + the signal's number (130, 143).
import { removeTemporaryFiles } from '../io/files_node';

const CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type Name = keyof typeof CODES;

export interface Interrupt {
  /** Aborted at the first signal while saving is on. */
  readonly signal: AbortSignal;
  /** From now on the first signal stops the work cleanly; `what` says how ("stopping the run at its next step boundary"). */
  saveOnSignal(what: string): void;
  /** 130 or 143 once a signal came, else undefined. */
  exitCode(): number | undefined;
}

/** For a command called in-process (the tests), where nothing handles signals. */
export const NO_SIGNALS: Interrupt = { signal: new AbortController().signal, saveOnSignal() {}, exitCode: () => undefined };

/** Steps that must run at once when the process stops at once (a sweep's lock file). */
const atExit: (() => void)[] = [];

export function onImmediateExit(f: () => void): void {
  atExit.push(f);
}

function exitNow(name: Name, why: string): never {
  process.stderr.write(`\nshallow-gd: ${name}: ${why}\n`);
  removeTemporaryFiles();
  for (const f of atExit) f();
  process.exit(CODES[name]);
}

export function handleSignals(): Interrupt {
  const controller = new AbortController();
  let saving: string | null = null;
  let received: Name | undefined;
  const on = (name: Name) => {
    if (received || saving === null) exitNow(name, received ? 'stopped at once' : 'stopped before any work that could be saved');
    received = name;
    process.stderr.write(`\nshallow-gd: ${name}: ${saving} (${name === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again stops at once)\n`);
    controller.abort();
  };
  for (const name of Object.keys(CODES) as Name[]) process.on(name, () => on(name));
  return {
    signal: controller.signal,
    saveOnSignal(what) {
      saving = what;
    },
    exitCode: () => (received ? CODES[received] : undefined),
  };
}
