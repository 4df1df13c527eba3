import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new provider API key: `lfp_` + 32 random bytes (base64url). Shown once; only its hash is kept. */
export function generateProviderKey(): string {
  return `lfp_${randomBytes(32).toString('base64url')}`;
}

export function hashProviderKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Constant-time check of a presented key against the stored hash. */
export function providerKeyMatches(presented: string, storedHash: string): boolean {
  const a = Buffer.from(hashProviderKey(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The last characters of a key, to recognise it in lists without revealing it. */
export function providerKeyHint(key: string): string {
  return `…${key.slice(-4)}`;
}
