import type { Principal } from '@leadflow/platform/auth';
import { rateLimitHeaders } from '@leadflow/platform/ratelimit';
import { Injectable, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import passport from 'passport';
import { GatewayEnv } from '../config/env.schema';
import { writeProblem } from '../proxy/problem-response';
import { matchRoute } from '../routing/route-table';
import { ApiKeyExchangeService } from './api-key-exchange.service';
import { isRateLimited, requiresToken } from './edge-policy';
import { RateLimiterService } from './rate-limiter.service';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="leadflow", error="invalid_token"' };

/**
 * Runs before the proxy on every routed request: turns an `X-Api-Key` into a short-lived access
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
  ) {}

  readonly handle = (req: Request, res: Response, next: NextFunction): void => {
    const route = matchRoute(req.url);
    if (route.kind !== 'upstream') {
      next();
      return;
    }
    const pathname = req.url.split('?', 1)[0];
    this.admit(req, res, pathname).then(
      (admitted) => {
        if (admitted) next();
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
  };

  private async admit(req: Request, res: Response, pathname: string): Promise<boolean> {
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

    let client = `ip:${req.ip ?? 'unknown'}`;
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
    const decision = await this.limiter.consume(client, limit);
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
  private verify(req: Request): Promise<Principal | undefined> {
    return new Promise((resolve) => {
      const authenticate = passport.authenticate(
        'jwt',
        { session: false },
        (error: unknown, user: Principal | false) => resolve(error || !user ? undefined : user),
      ) as (req: Request, res: Response, next: NextFunction) => void;
      authenticate(req, {} as Response, () => resolve(undefined));
    });
  }
}
