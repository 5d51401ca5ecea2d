// The page's URL-hash state, without a browser.
import { describe, expect, test } from 'vitest';
import { buildConfig, defaultConfig } from '../../src/config/schema';
import { formatHash, parseHash } from '../../src/ui/hash';

describe('URL hash', () => {
  test('a written hash reads back as the same config and page options', () => {
    const config = buildConfig({
      preset: 'du', n: '256', m: '4096', etaW: '0.01', etaA: 'same', labels: 'file:my labels&x.npy', stopAtEps: 'false', eps: '1e-8',
    });
    const page = { embed: true, autorun: true, hide: ['controls' as const, 'share' as const], ranges: { movement: [0.001, 10] as [number, number] }, seeds: 5, origin: 'https://example.org:8443' };
    const hash = formatHash(config, page);
    expect(hash).toMatch(/^#preset=du&n=256&/);
    expect(hash).toContain('hide=controls,share');
    expect(hash).toContain('range=movement:0.001..10');
    const back = parseHash(hash);
    expect(back.ignored).toEqual([]);
    expect(back.page).toEqual(page);
    expect(buildConfig(back.given)).toEqual(config);
    expect(buildConfig(parseHash(formatHash(defaultConfig(), back.page)).given)).toEqual(defaultConfig());
  });

  test('unknown keys, bad values and unknown parts are ignored and named; the rest is kept', () => {
    const s = parseHash('#n=abc&m=64&bogus=1&embed=yes&hide=loss,nope&etaW=-1&labels=teacher:0');
    expect(s.given).toEqual({ m: '64' });
    expect(s.page).toEqual({ embed: false, autorun: false, hide: ['loss'], seeds: 1 });
    expect(s.ignored).toEqual([
      expect.stringMatching(/^--n \(n\) must be an integer from 1 to .*; got "abc"$/),
      'unknown key "bogus"',
      'embed must be 1 or 0; got "yes"',
      'hide: unknown part "nope" (parts: header, controls, buttons, plan, status, explain, loss, movement, activation, kernel, runs, share)',
      expect.stringMatching(/^--eta-w \(etaW\) must be .*; got "-1"$/),
      expect.stringMatching(/^--labels \(labels\) must be /),
    ]);
  });

  test('origin must be exactly an origin and seeds a count; what is not is ignored and named', () => {
    const s = parseHash('#origin=https://example.org/path&seeds=0&seeds=40');
    expect(s.page).toEqual({ embed: false, autorun: false, hide: [], seeds: 1 });
    expect(s.ignored).toEqual([
      'origin must be a scheme, host and port, like https://example.org; got "https://example.org/path"',
      'seeds must be an integer from 1 to 32; got "0"',
      'seeds must be an integer from 1 to 32; got "40"',
    ]);
    expect(parseHash('#origin=http://127.0.0.1:5173&seeds=3').page).toMatchObject({ origin: 'http://127.0.0.1:5173', seeds: 3 });
  });

  test('range fixes a chart\'s y axis; a malformed one is ignored and named', () => {
    const s = parseHash('#range=movement:1e-3..10,loss:5..1,bogus:1..2,kernel:x..3');
    expect(s.page.ranges).toEqual({ movement: [0.001, 10] });
    expect(s.ignored).toEqual([
      'range: "loss:5..1" is not chart:low..high with low < high (charts: loss, movement, activation, kernel)',
      'range: "bogus:1..2" is not chart:low..high with low < high (charts: loss, movement, activation, kernel)',
      'range: "kernel:x..3" is not chart:low..high with low < high (charts: loss, movement, activation, kernel)',
    ]);
  });
});
