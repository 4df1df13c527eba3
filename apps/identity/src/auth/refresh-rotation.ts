import { createHash, randomBytes } from 'node:crypto';

/** A new opaque refresh token: 32 random bytes, base64url. Only its hash is stored. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export type RefreshDecision =
  | { kind: 'rotate' }
  /** Presented again after it was rotated: stolen or replayed — the whole family is revoked. */
  | { kind: 'reused' }
  | { kind: 'invalid'; reason: 'revoked' | 'expired' };

/** What presenting a stored refresh token means. */
export function decideRefresh(
  token: { usedAt: Date | null; revokedAt: Date | null; expiresAt: Date },
  session: { revokedAt: Date | null },
  now: Date,
): RefreshDecision {
  if (token.usedAt) return { kind: 'reused' };
  if (token.revokedAt || session.revokedAt) return { kind: 'invalid', reason: 'revoked' };
  if (token.expiresAt.getTime() <= now.getTime()) return { kind: 'invalid', reason: 'expired' };
  return { kind: 'rotate' };
}
