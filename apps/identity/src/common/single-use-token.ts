import { createHash, randomBytes } from 'node:crypto';

/** A new single-use token (32 random bytes, base64url) and the SHA-256 hash that is stored. */
export function newSingleUseToken(): { token: string; hash: Buffer } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashSingleUseToken(token) };
}

export function hashSingleUseToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export type SingleUseTokenState = 'pending' | 'used' | 'revoked' | 'expired';

/** Where a single-use token stands; used and revoked win over expired (they are final). */
export function singleUseTokenState(
  token: { usedAt: Date | null; revokedAt?: Date | null; expiresAt: Date },
  now: Date,
): SingleUseTokenState {
  if (token.usedAt) return 'used';
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'pending';
}

export function expiresAfter(now: Date, ms: number): Date {
  return new Date(now.getTime() + ms);
}
