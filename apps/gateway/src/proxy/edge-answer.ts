import { rateLimitHeaders } from '@leadflow/platform/ratelimit';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EdgeVerdict } from '../edge/edge-auth.service';
import { writeProblem } from './problem-response';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="leadflow", error="invalid_token"' };

/**
 * Answers the edge's verdict on a request for a service: RateLimit-* on every answer of a rate
 * limited path (Retry-After too when refused), then the proxy (`admitted`) or the refusal —
 * 401 with a bearer challenge for a bad API key or token, 429 over the client's limit.
 */
export function answerEdge(
  req: IncomingMessage,
  res: ServerResponse,
  verdict: EdgeVerdict,
  admitted: () => void,
): void {
  if ('limits' in verdict && verdict.limits) {
    for (const [name, value] of Object.entries(rateLimitHeaders(verdict.limits))) res.setHeader(name, value);
  }
  switch (verdict.kind) {
    case 'admitted':
      admitted();
      return;
    case 'invalid_api_key':
      writeProblem(req, res, {
        status: 401,
        code: 'invalid_api_key',
        detail: 'The API key is unknown, expired or revoked',
        headers: CHALLENGE,
      });
      return;
    case 'invalid_token':
      writeProblem(req, res, {
        status: 401,
        code: 'invalid_token',
        detail: 'A valid access token is required',
        headers: CHALLENGE,
      });
      return;
    case 'rate_limited':
      writeProblem(req, res, {
        status: 429,
        code: 'rate_limited',
        detail: `More than ${verdict.limits.limit} requests a minute; try again in ${verdict.limits.resetSeconds} s`,
      });
      return;
  }
}

/** The edge's check could not run (the identity service or Redis is unreachable): 503, retry soon. */
export function answerEdgeUnavailable(req: IncomingMessage, res: ServerResponse): void {
  writeProblem(req, res, {
    status: 503,
    code: 'service_unavailable',
    detail: 'Authentication is unavailable',
    headers: { 'Retry-After': '5' },
  });
}
