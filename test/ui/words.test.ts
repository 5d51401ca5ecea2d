// The schema's messages in the page's words.
import { describe, expect, test } from 'vitest';
import { ConfigError, buildConfig } from '../../src/config/schema';
import { inPageWords } from '../../src/ui/words';

describe('page words', () => {
  test('a setting is named as the form labels it, in the schema\'s own messages', () => {
    const message = (given: Record<string, string>) => {
      try {
        buildConfig(given);
      } catch (e) {
        if (e instanceof ConfigError) return inPageWords(e.message);
        throw e;
      }
      throw new Error('no error');
    };
    expect(message({ etaW: '-1' })).toMatch(/^etaW must be /);
    expect(message({ linearized: 'true', n: '5000' })).toMatch(/^linearized needs n ≤ 4096/);
    expect(inPageWords('the dense 64×64 H_0 (--linearized)')).toBe('the dense 64×64 H_0 (linearized)');
    expect(inPageWords('--no-such-flag stays')).toBe('--no-such-flag stays');
  });
});
