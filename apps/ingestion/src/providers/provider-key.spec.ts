import { generateProviderKey, hashProviderKey, providerKeyHint, providerKeyMatches } from './provider-key';

describe('provider keys', () => {
  it('are random, prefixed and verified only against their own hash', () => {
    const key = generateProviderKey();
    const other = generateProviderKey();
    expect(key).toMatch(/^lfp_[A-Za-z0-9_-]{43}$/);
    expect(key).not.toBe(other);
    expect(providerKeyMatches(key, hashProviderKey(key))).toBe(true);
    expect(providerKeyMatches(other, hashProviderKey(key))).toBe(false);
    expect(providerKeyMatches(key, 'not-a-hash')).toBe(false);
    expect(providerKeyHint(key)).toBe(`…${key.slice(-4)}`);
  });
});
