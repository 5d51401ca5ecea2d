import { describe, expect, it } from 'vitest';
import { loggedSteps } from '../../src/train/plan';

describe('logged steps', () => {
  it('are log-spaced, about logPerDecade per decade, with 0 and the last step', () => {
    const s = loggedSteps(10_000, 0, 20);
    expect(s[0]).toBe(0);
    expect(s[s.length - 1]).toBe(10_000);
    expect(s.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
    const inDecade = s.filter((t) => t >= 1000 && t < 10_000).length;
    expect(inDecade).toBe(20);
    expect(new Set(s).size).toBe(s.length);
  });

  it('are every k steps on request', () => {
    expect(loggedSteps(10, 4, 20)).toEqual([0, 4, 8, 10]);
    expect(loggedSteps(0, 0, 20)).toEqual([0]);
  });
});
