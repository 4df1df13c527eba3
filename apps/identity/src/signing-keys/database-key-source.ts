import type { VerificationKeySource } from '@leadflow/platform/auth';
import type { SigningKeysService } from './signing-keys.service';

/** Entries are dropped after this long, so keys leaving the JWKS also stop verifying. */
const CACHE_MS = 60_000;

/**
 * identity verifies its own tokens from its database (no HTTP to itself): published keys by kid,
 * cached; an unknown kid is looked up (cheap indexed read) and negative answers cached briefly.
 */
export class DatabaseKeySource implements VerificationKeySource {
  private readonly cache = new Map<string, { pem: string | undefined; until: number }>();

  constructor(private readonly keys: SigningKeysService) {}

  async getKey(kid: string): Promise<string | undefined> {
    const hit = this.cache.get(kid);
    if (hit && hit.until > Date.now()) return hit.pem;
    const pem = await this.keys.publicKeyPem(kid);
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(kid, { pem, until: Date.now() + (pem ? CACHE_MS : 1000) });
    return pem;
  }
}
