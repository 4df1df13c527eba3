import { apiKeyMatches, hashApiKey, newApiKey, parseApiKey } from './api-key.format';

describe('API key format', () => {
  it('makes lf_<8>_<32> keys whose prefix parses back', () => {
    for (let i = 0; i < 50; i++) {
      const { key, prefix } = newApiKey();
      expect(key).toMatch(/^lf_[a-z0-9]{8}_[A-Za-z0-9_-]{32}$/);
      expect(parseApiKey(key)).toEqual({ prefix });
    }
  });

  it('refuses anything else', () => {
    for (const bad of [
      '',
      'lf_',
      'lf_abc_def',
      'xx_abcdefgh_' + 'a'.repeat(32),
      'lf_ABCDEFGH_' + 'a'.repeat(32),
      'lf_abcdefgh_' + 'a'.repeat(31),
      'lf_abcdefgh_' + 'a'.repeat(33),
      ` lf_abcdefgh_${'a'.repeat(32)}`,
    ]) {
      expect(parseApiKey(bad)).toBeUndefined();
    }
  });

  it('checks a key against its stored hash', () => {
    const { key } = newApiKey();
    const other = newApiKey().key;
    expect(apiKeyMatches(key, hashApiKey(key))).toBe(true);
    expect(apiKeyMatches(other, hashApiKey(key))).toBe(false);
    expect(apiKeyMatches(key, Buffer.alloc(3))).toBe(false);
  });
});
