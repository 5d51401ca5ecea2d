// The host's loop unrolling (src/gpu/program.ts): marked loops over D4 become literal copies.
import { describe, expect, it } from 'vitest';
import { blockItems } from '../../src/gpu/layout';
import { UNROLL_MAX, unrollLoops } from '../../src/gpu/program';

describe('unrollLoops', () => {
  it('writes a marked loop out d4 times with literal indices, each copy in its own block', () => {
    const code = 'var s = 0.0;\n/* unroll */ for (var k = 0u; k < D4; k++) { let t = w[k] * x[k + kk]; s += t; }\nreturn s;';
    expect(unrollLoops(code, 3)).toBe(
      'var s = 0.0;\n{ let t = w[0u] * x[0u + kk]; s += t; } { let t = w[1u] * x[1u + kk]; s += t; } { let t = w[2u] * x[2u + kk]; s += t; }\nreturn s;');
  });

  it('unrolls nested marked loops and bodies with braces, and leaves unmarked loops alone', () => {
    const code = '/* unroll */ for (var k = 0u; k < D4; k++) { if (c) { /* unroll */ for (var j = 0u; j < D4; j++) { g[j] += h[k]; } } }'
      + ' for (var k = 0u; k < D4; k++) { q[k] = 0.0; }';
    expect(unrollLoops(code, 2)).toBe(
      '{ if (c) { { g[0u] += h[0u]; } { g[1u] += h[0u]; } } } { if (c) { { g[0u] += h[1u]; } { g[1u] += h[1u]; } } }'
      + ' for (var k = 0u; k < D4; k++) { q[k] = 0.0; }');
  });

  it('writes out loops with a literal bound as well, whatever d4', () => {
    expect(unrollLoops('/* unroll */ for (var s = 0u; s < 3u; s++) { acc[s] += z[s]; }', 100)).toBe('{ acc[0u] += z[0u]; } { acc[1u] += z[1u]; } { acc[2u] += z[2u]; }');
    // Around a loop over D4 kept as a loop (d4 past UNROLL_MAX), which is copied whole.
    const inner = '/* unroll */ for (var k = 0u; k < D4; k++) { g[k] += h[s]; }';
    expect(unrollLoops(`/* unroll */ for (var s = 0u; s < 2u; s++) { ${inner} }`, UNROLL_MAX + 1))
      .toBe(`{ ${inner.replace('h[s]', 'h[0u]')} } { ${inner.replace('h[s]', 'h[1u]')} }`);
  });

  it('leaves members named like the index alone, and refuses bodies whose copies would change meaning', () => {
    expect(unrollLoops('/* unroll */ for (var k = 0u; k < D4; k++) { s.k += w[k]; }', 2)).toBe('{ s.k += w[0u]; } { s.k += w[1u]; }');
    // BLOCK_ITEMS, the batched kernels' block at this D4 (layout.ts blockItems): 4 at D4 = 2, 2 at 3 and 4, 1 past 8.
    expect(unrollLoops('/* unroll */ for (var u = 0u; u < BLOCK_ITEMS; u++) { s += x[u]; }', 2)).toBe('{ s += x[0u]; } { s += x[1u]; } { s += x[2u]; } { s += x[3u]; }');
    expect([1, 2, 3, 4, 8, 9, 64].map(blockItems)).toEqual([4, 4, 2, 2, 1, 1, 1]);
    for (const body of ['if (c) { break; }', 'continue;', '// why', '/* why */'])
      expect(() => unrollLoops(`/* unroll */ for (var k = 0u; k < D4; k++) { ${body} }`, 2)).toThrow(/a comment, break or continue/);
  });

  it('keeps the loop past UNROLL_MAX, and names an unbalanced loop', () => {
    const code = '/* unroll */ for (var k = 0u; k < D4; k++) { s += w[k]; }';
    expect(unrollLoops(code, UNROLL_MAX + 1)).toBe(code);
    expect(unrollLoops(code, UNROLL_MAX)).toContain(`w[${UNROLL_MAX - 1}u]`);
    expect(() => unrollLoops('/* unroll */ for (var k = 0u; k < D4; k++) { s += w[k];', 2)).toThrow(/unbalanced braces/);
  });

  it('refuses a marker before a loop form it cannot write out, also where loops are kept', () => {
    for (const loop of ['for (var k = 0u; k < D4; k += 1u) { s += w[k]; }', 'for (var k: u32 = 0u; k < D4; k++) { s += w[k]; }', 's += 1.0;'])
      for (const limit of [UNROLL_MAX, 0]) expect(() => unrollLoops(`/* unroll */ ${loop}`, 2, limit)).toThrow(/must precede/);
  });

  it('keeps every loop where the adapter unrolls them itself (limit 0)', () => {
    const code = '/* unroll */ for (var s = 0u; s < 2u; s++) { /* unroll */ for (var k = 0u; k < D4; k++) { g[k] += h[s]; } }';
    expect(unrollLoops(code, 2, 0)).toBe(code);
  });
});
