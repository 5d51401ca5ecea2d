// "What you are seeing": a few sentences about the run on the charts, every number taken from
// its logged rows, and what would differ in the lazy (kernel) regime.
import type { Resolved } from '../config/resolve';
import type { Row } from '../model/metrics';
import { factor, percent, shown } from './numbers';

export interface Seen {
  /** How the run is named on the page (#3, or #3–#7 for seeds). */
  name: string;
  config: Resolved;
  /** Its logged rows (the median over seeds, for several). */
  rows: readonly Row[];
  running: boolean;
  /** Several seeds: how many there are, how many finished, and how many of those converged. */
  seeds?: { count: number; finished: number; converged: number };
}

/** The flipped fraction the panel calls beyond the lazy regime: docs/MODEL.md §8 reads flips of order 0.1, not → 0, as that evidence. */
const BEYOND_LAZY_FLIPS = 0.05;

/** The panel's sentences; empty before the first row. */
export function whatYouSee(s: Seen): string[] {
  const first = s.rows[0];
  const last = s.rows.at(-1);
  if (!first || !last) return [];
  const { n, m } = s.config;
  const median = s.seeds ? 'the median ' : 'the ';
  const fell = last.loss_ratio > 0 ? 1 / last.loss_ratio : Infinity;
  const loss = last.step === 0 ? `${median}loss starts at ${shown(first.loss)}`
    : fell >= 1 ? `${median}loss fell ${factor(fell)} in ${last.step.toLocaleString('en-US')} steps${s.running ? ' so far' : ''}`
      : `${median}loss grew ${factor(1 / fell)} in ${last.step.toLocaleString('en-US')} steps`;
  const lazy = Math.sqrt(n / m);
  const wider = `wider network (m = ${(16 * n).toLocaleString('en-US')})`;
  const flips = last.flip_frac >= BEYOND_LAZY_FLIPS ? `the ${percent(last.flip_frac)} of patterns that flipped place this run beyond the lazy regime` : 'few patterns flipped';
  const verdict = last.rel_move_w > 2 * lazy ? 'this run moved well beyond that.'
    // A scale of order 1 does not separate the regimes: the flips still do (docs/MODEL.md §8).
    : lazy >= 0.5 ? `at this width that scale is of order 1, so the movement alone cannot tell the regimes apart; ${flips}. A ${wider} shows the lazy regime.`
      : m < 16 * n ? `a ${wider} shows that regime.` : 'this network is that wide.';
  const out = [
    `${s.name}: ${loss}, while the first layer moved ${shown(last.rel_move_w)}× its initial norm (‖W−W₀‖/‖W₀‖) and ${percent(last.flip_frac)} of the activation patterns (sample, neuron) flipped.`,
    `In the lazy (kernel) regime the movement shrinks like √(n/m) (${shown(lazy)} here) and few patterns flip; ${verdict}`,
  ];
  if (last.dead_frac > 0) out.push(`${percent(last.dead_frac)} of the neurons are dead (inactive on every sample).`);
  if (s.config.linearized && Number.isFinite(last.loss_kernel))
    out.push(`The dashed loss is the kernel (lazy) prediction: ${shown(last.loss_kernel)} at step ${last.step}, against the real ${shown(last.loss)}.`);
  if (s.seeds) {
    const { count, finished, converged } = s.seeds;
    out.push(`${converged} of ${finished} finished seed${finished === 1 ? '' : 's'} reached L/L0 < eps = ${shown(s.config.eps)} (${percent(finished ? converged / finished : NaN)})${finished < count ? `; ${count - finished} to go` : ''}. The band spans the quartiles.`);
  }
  return out;
}
