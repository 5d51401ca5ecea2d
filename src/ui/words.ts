// The page names settings as its form labels them (the schema key, `etaW`), not as the command
// line does (`--eta-w (etaW)`): the schema's messages are written for both, and the page
// rewrites them once, here.
import { settingByFlag } from '../config/schema';

/** `--eta-w (etaW) must be …` → `etaW must be …`; a bare flag (`--linearized`) → its key. */
export function inPageWords(text: string): string {
  return text.replace(/--([a-z][\w-]*)(?: \((\w+)\))?/g, (all, flag: string, key?: string) => key ?? settingByFlag(flag)?.key ?? all);
}
