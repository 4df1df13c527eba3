import type { Principal } from '@leadflow/platform/auth';
import type { RateLimitDecision } from '@leadflow/platform/ratelimit';
import { Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import passport from 'passport';
import { GatewayEnv } from '../config/env.schema';
import { ApiKeyExchangeService } from './api-key-exchange.service';
import { ClientOrigins } from './client-origin';
import { isRateLimited, requiresToken } from './edge-policy';
import { RateLimiterService } from './rate-limiter.service';

/**
 * What the edge makes of a request for a service: admitted (with the client's rate decision when
 * the path is rate limited), or refused — an unknown API key or a missing or invalid token (401),
 * or over the client's rate limit (429). The front door answers it (see `answerEdge`).
 */
export type EdgeVerdict =
  | { kind: 'admitted'; limits?: RateLimitDecision }
  | { kind: 'invalid_api_key' }
  | { kind: 'invalid_token' }
  | { kind: 'rate_limited'; limits: RateLimitDecision };

const ADMITTED: EdgeVerdict = { kind: 'admitted' };

/**
 * Runs before the proxy on every request for a service (see GatewayFrontDoor): turns an `X-Api-Key` into a short-lived access
 * token, rejects a missing or invalid token early (401) with the same passport-jwt strategy the
 * services use, and applies the per-client rate limit (429). The services verify the token again;
 * nothing downstream trusts a header because it came through here.
 */
@Injectable()
export class EdgeAuthService {
  constructor(
    private readonly env: GatewayEnv,
    private readonly apiKeys: ApiKeyExchangeService,
    private readonly limiter: RateLimiterService,
    private readonly origins: ClientOrigins,
  ) {}

  /**
   * Judges a request for a service (rewriting its credentials: an API key becomes a bearer token,
   * `X-Api-Key` is removed). Public paths without an API key need no check and are admitted at
   * once, without a promise; a check that cannot run rejects (the front door answers 503).
   */
  check(req: IncomingMessage, pathname: string): EdgeVerdict | Promise<EdgeVerdict> {
    const apiKey = req.headers['x-api-key'];
    if (apiKey === undefined && !requiresToken(pathname) && !isRateLimited(pathname)) return ADMITTED;
    return this.admit(req, pathname);
  }

  private async admit(req: IncomingMessage, pathname: string): Promise<EdgeVerdict> {
    const apiKey = req.headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey.length > 0 && !req.headers.authorization) {
      const token = await this.apiKeys.exchange(apiKey, String(req.id ?? ''));
      if (!token) return { kind: 'invalid_api_key' };
      req.headers.authorization = `Bearer ${token}`;
    }
    delete req.headers['x-api-key'];

    let client: string | undefined;
    let limit = this.env.RATE_LIMIT_ANONYMOUS_PER_MINUTE;
    if (requiresToken(pathname)) {
      const principal = await this.verify(req);
      if (!principal) return { kind: 'invalid_token' };
      client = `${principal.kind}:${principal.id}`;
      limit = this.env.RATE_LIMIT_PER_MINUTE;
    }
    if (!isRateLimited(pathname)) return ADMITTED;
    const limits = await this.limiter.consume(client ?? `ip:${this.origins.ip(req)}`, limit);
    return limits.allowed ? { kind: 'admitted', limits } : { kind: 'rate_limited', limits };
  }

  /** The same strategy ('jwt', registered by AuthModule) that every service runs. */
  private verify(req: IncomingMessage): Promise<Principal | undefined> {
    return new Promise((resolve) => {
      const authenticate = passport.authenticate(
        'jwt',
        { session: false },
        (error: unknown, user: Principal | false) => resolve(error || !user ? undefined : user),
      ) as (req: IncomingMessage, res: object, next: () => void) => void;
      authenticate(req, {}, () => resolve(undefined));
    });
  }
}
