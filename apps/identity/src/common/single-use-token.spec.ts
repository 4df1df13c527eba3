import { expiresAfter, hashSingleUseToken, newSingleUseToken, singleUseTokenState } from './single-use-token';

describe('single-use tokens', () => {
  const now = new Date('2026-11-23T12:00:00.000Z');
  const later = new Date('2026-11-23T13:00:00.000Z');

  it('are 32 random bytes in base64url, stored as their SHA-256', () => {
    const { token, hash } = newSingleUseToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hash).toHaveLength(32);
    expect(hash.equals(hashSingleUseToken(token))).toBe(true);
    expect(newSingleUseToken().token).not.toBe(token);
  });

  it('are pending until they expire', () => {
    expect(singleUseTokenState({ usedAt: null, revokedAt: null, expiresAt: later }, now)).toBe('pending');
    expect(singleUseTokenState({ usedAt: null, expiresAt: now }, now)).toBe('expired');
    expect(singleUseTokenState({ usedAt: null, expiresAt: now }, later)).toBe('expired');
  });

  it('stay used or revoked after they expire', () => {
    expect(singleUseTokenState({ usedAt: now, revokedAt: null, expiresAt: now }, later)).toBe('used');
    expect(singleUseTokenState({ usedAt: null, revokedAt: now, expiresAt: now }, later)).toBe('revoked');
    expect(singleUseTokenState({ usedAt: now, revokedAt: now, expiresAt: later }, now)).toBe('used');
  });

  it('expire after the given time', () => {
    expect(expiresAfter(now, 3_600_000)).toEqual(later);
  });
});
