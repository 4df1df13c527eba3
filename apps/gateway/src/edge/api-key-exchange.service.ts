import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { GatewayEnv } from '../config/env.schema';

interface Exchanged {
  token: string;
  until: number;
}

/** How long an exchanged token is reused: a revoked key stops working within this (+ request time). */
export const API_KEY_CACHE_MS = 4000;

/**
 * Turns an `X-Api-Key` into a short-lived access token from identity, so the services only ever
 * verify JWTs. Results are cached for at most API_KEY_CACHE_MS, keyed by the key's hash, which keeps
 * revocation effective within 5 seconds everywhere.
 */
@Injectable()
export class ApiKeyExchangeService {
  private readonly cache = new Map<string, Exchanged>();

  constructor(private readonly env: GatewayEnv) {}

  /** The access token for the key, or undefined when identity refuses it. */
  async exchange(apiKey: string, requestId: string): Promise<string | undefined> {
    const id = createHash('sha256').update(apiKey).digest('base64url');
    const cached = this.cache.get(id);
    if (cached && cached.until > Date.now()) return cached.token;
    this.cache.delete(id);
    const res = await fetch(`${this.env.IDENTITY_URL.replace(/\/+$/, '')}/internal/api-keys/exchange`, {
      method: 'POST',
      headers: { 'X-Api-Key': apiKey, 'X-Request-Id': requestId },
      signal: AbortSignal.timeout(this.env.READINESS_TIMEOUT_MS),
    });
    if (res.status === 401 || res.status === 403) return undefined;
    if (!res.ok) throw new Error(`identity answered ${res.status} to an API key exchange`);
    const body = (await res.json()) as { accessToken: string; expiresIn: number };
    const until = Date.now() + Math.min(API_KEY_CACHE_MS, Math.max(0, body.expiresIn * 1000 - 1000));
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(id, { token: body.accessToken, until });
    return body.accessToken;
  }
}
