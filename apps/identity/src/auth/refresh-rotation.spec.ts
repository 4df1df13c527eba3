import { decideRefresh, hashToken, newRefreshToken } from './refresh-rotation';

const now = new Date('2026-11-23T12:00:00Z');
const later = new Date('2026-12-23T12:00:00Z');
const earlier = new Date('2026-11-22T12:00:00Z');

describe('refresh token rotation', () => {
  it('rotates a fresh token of a live session', () => {
    expect(
      decideRefresh({ usedAt: null, revokedAt: null, expiresAt: later }, { revokedAt: null }, now),
    ).toEqual({
      kind: 'rotate',
    });
  });

  it('treats a token presented a second time as reuse, even after its family was revoked', () => {
    expect(
      decideRefresh({ usedAt: earlier, revokedAt: null, expiresAt: later }, { revokedAt: null }, now).kind,
    ).toBe('reused');
    expect(
      decideRefresh({ usedAt: earlier, revokedAt: earlier, expiresAt: later }, { revokedAt: earlier }, now)
        .kind,
    ).toBe('reused');
  });

  it('refuses revoked tokens, tokens of a revoked session and expired tokens', () => {
    expect(
      decideRefresh({ usedAt: null, revokedAt: earlier, expiresAt: later }, { revokedAt: null }, now),
    ).toEqual({
      kind: 'invalid',
      reason: 'revoked',
    });
    expect(
      decideRefresh({ usedAt: null, revokedAt: null, expiresAt: later }, { revokedAt: earlier }, now),
    ).toEqual({
      kind: 'invalid',
      reason: 'revoked',
    });
    expect(
      decideRefresh({ usedAt: null, revokedAt: null, expiresAt: now }, { revokedAt: null }, now),
    ).toEqual({
      kind: 'invalid',
      reason: 'expired',
    });
  });

  it('makes 32-byte base64url tokens and hashes them with SHA-256', () => {
    const token = newRefreshToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newRefreshToken()).not.toBe(token);
    expect(hashToken(token)).toHaveLength(32);
    expect(hashToken(token).equals(hashToken(token))).toBe(true);
  });
});
