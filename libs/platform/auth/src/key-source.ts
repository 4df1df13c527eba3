import { createPublicKey } from 'node:crypto';

/** Where a service finds the public key (PEM) of a token's `kid`. */
export interface VerificationKeySource {
  getKey(kid: string): Promise<string | undefined>;
}

export const VERIFICATION_KEY_SOURCE = Symbol('VERIFICATION_KEY_SOURCE');

interface Jwk {
  kid?: string;
  kty: string;
  alg?: string;
  use?: string;
  n?: string;
  e?: string;
}

/**
 * identity's JWKS, fetched over HTTP and cached; an unknown `kid` triggers a refresh (at most one
 * at a time, and not more often than `minRefreshMs`), so a rotated key is picked up at once.
 */
export class JwksKeySource implements VerificationKeySource {
  private keys = new Map<string, string>();
  private lastFetch = 0;
  private inflight: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    private readonly options: { minRefreshMs?: number; timeoutMs?: number } = {},
  ) {}

  async getKey(kid: string): Promise<string | undefined> {
    const cached = this.keys.get(kid);
    if (cached) return cached;
    if (Date.now() - this.lastFetch >= (this.options.minRefreshMs ?? 2000)) await this.refresh();
    return this.keys.get(kid);
  }

  private refresh(): Promise<void> {
    this.inflight ??= this.fetchKeys().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async fetchKeys(): Promise<void> {
    this.lastFetch = Date.now();
    const res = await fetch(this.url, { signal: AbortSignal.timeout(this.options.timeoutMs ?? 3000) });
    if (!res.ok) throw new Error(`JWKS at ${this.url} answered ${res.status}`);
    const body = (await res.json()) as { keys?: Jwk[] };
    const keys = new Map<string, string>();
    for (const jwk of body.keys ?? []) {
      if (!jwk.kid || jwk.kty !== 'RSA' || (jwk.use && jwk.use !== 'sig')) continue;
      keys.set(
        jwk.kid,
        createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' })
          .export({ type: 'spki', format: 'pem' })
          .toString(),
      );
    }
    this.keys = keys;
  }
}
