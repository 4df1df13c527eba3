import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const KEY_PATTERN = /^lf_([a-z0-9]{8})_([A-Za-z0-9_-]{32})$/;

/** A new API key `lf_<8-char prefix>_<32 random base64url chars>`; the prefix finds it, the hash checks it. */
export function newApiKey(): { key: string; prefix: string } {
  let prefix = '';
  for (let i = 0; i < 8; i++) prefix += PREFIX_ALPHABET[randomInt(PREFIX_ALPHABET.length)];
  const secret = randomBytes(24).toString('base64url');
  return { key: `lf_${prefix}_${secret}`, prefix };
}

/** The prefix of a well-formed key, or undefined (then it cannot be one of ours). */
export function parseApiKey(key: string): { prefix: string } | undefined {
  const match = KEY_PATTERN.exec(key);
  return match ? { prefix: match[1] } : undefined;
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export function apiKeyMatches(key: string, storedHash: Buffer): boolean {
  const hash = hashApiKey(key);
  return hash.length === storedHash.length && timingSafeEqual(hash, storedHash);
}
