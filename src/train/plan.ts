// Which steps are logged: log-spaced (logPerDecade per decade) or every logEvery steps,
// always with step 0 and the last step.

export function loggedSteps(steps: number, logEvery: number, logPerDecade: number): number[] {
  const out = new Set<number>([0, steps]);
  if (logEvery > 0) {
    for (let s = logEvery; s < steps; s += logEvery) out.add(s);
  } else {
    for (let k = 0; ; k++) {
      const s = Math.round(10 ** (k / logPerDecade));
      if (s >= steps) break;
      out.add(s);
    }
  }
  return [...out].sort((a, b) => a - b);
}
