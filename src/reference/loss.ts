// Float64 twin of shaders/loss.wgsl: the loss and the rule that halts a run.
import { HALT, type HaltCode } from '../model/constants';

/** L = ½‖r‖². */
export function loss(r: Float64Array): number {
  let s = 0;
  for (const ri of r) s += ri * ri;
  return 0.5 * s;
}


/** Diverged when L is not finite or L > divergeAt·L0; converged when L < eps·L0 and stopAtEps. */
export function haltCode(L: number, L0: number, c: { eps: number; divergeAt: number; stopAtEps: boolean }): HaltCode {
  if (!(L <= c.divergeAt * L0)) return HALT.diverged;
  if (c.stopAtEps && L < c.eps * L0) return HALT.converged;
  return HALT.running;
}
