import type { Principal } from '@leadflow/platform/auth';
import { rateLimitHeaders } from '@leadflow/platform/ratelimit';
import { Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import passport from 'passport';
import { GatewayEnv } from '../config/env.schema';
import { writeProblem } from '../proxy/problem-response';
import { ApiKeyExchangeService } from './api-key-exchange.service';
import { ClientOrigins } from './client-origin';
import { isRateLimited, requiresToken } from './edge-policy';
import { RateLimiterService } from './rate-limiter.service';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="leadflow", error="invalid_token"' };

/**
 * Runs before the proxy on every request for a service (see GatewayFrontDoor): turns an `X-Api-Key` into a short-lived access
 * token, rejects a missing or invalid token early (401) with the same passport-jwt strategy the
 * services use, and applies the per-client rate limit (429). The services verify the token again;
 * nothing downstream trusts a header because it came through here.
 */
@Injectable()
export class EdgeAuthService {
  private readonly logger = new Logger('EdgeAuth');

  constructor(
    private readonly env: GatewayEnv,
    private readonly apiKeys: ApiKeyExchangeService,
    private readonly limiter: RateLimiterService,
    private readonly origins: ClientOrigins,
  ) {}

  /**
   * Admits a request for a service (calls `admitted`) or answers it itself: 401 for a missing or
   * invalid token or API key, 429 over the client's rate limit, 503 when the check cannot run.
   * Public paths without an API key need no check and are admitted at once.
   */
  check(req: IncomingMessage, res: ServerResponse, pathname: string, admitted: () => void): void {
    const apiKey = req.headers['x-api-key'];
    if (apiKey === undefined && !requiresToken(pathname) && !isRateLimited(pathname)) {
      admitted();
      return;
    }
    this.admit(req, res, pathname).then(
      (ok) => {
        if (ok) admitted();
      },
      (error: unknown) => {
        this.logger.error({ err: error }, 'edge check failed');
        writeProblem(req, res, {
          status: 503,
          code: 'service_unavailable',
          detail: 'Authentication is unavailable',
          headers: { 'Retry-After': '5' },
        });
      },
    );
  }

  private async admit(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    const apiKey = req.headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey.length > 0 && !req.headers.authorization) {
      const token = await this.apiKeys.exchange(apiKey, String(req.id ?? ''));
      if (!token) {
        writeProblem(req, res, {
          status: 401,
          code: 'invalid_api_key',
          detail: 'The API key is unknown, expired or revoked',
          headers: CHALLENGE,
        });
        return false;
      }
      req.headers.authorization = `Bearer ${token}`;
    }
    delete req.headers['x-api-key'];

    let client: string | undefined;
    let limit = this.env.RATE_LIMIT_ANONYMOUS_PER_MINUTE;
    if (requiresToken(pathname)) {
      const principal = await this.verify(req);
      if (!principal) {
        writeProblem(req, res, {
          status: 401,
          code: 'invalid_token',
          detail: 'A valid access token is required',
          headers: CHALLENGE,
        });
        return false;
      }
      client = `${principal.kind}:${principal.id}`;
      limit = this.env.RATE_LIMIT_PER_MINUTE;
    }
    if (!isRateLimited(pathname)) return true;
    const decision = await this.limiter.consume(client ?? `ip:${this.origins.ip(req)}`, limit);
    // RateLimit-* on every answer; Retry-After too when refused.
    for (const [name, value] of Object.entries(rateLimitHeaders(decision))) res.setHeader(name, value);
    if (!decision.allowed) {
      writeProblem(req, res, {
        status: 429,
        code: 'rate_limited',
        detail: `More than ${decision.limit} requests a minute; try again in ${decision.resetSeconds} s`,
      });
      return false;
    }
    return true;
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
