import type { RateLimitDecision } from '@leadflow/platform/ratelimit';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerEdge, answerEdgeUnavailable } from './edge-answer';

interface Answered {
  status: number;
  headers: Record<string, string | number>;
  body: { code?: string } | null;
}

function exchange(): { req: IncomingMessage; res: ServerResponse; answered: Answered } {
  const answered: Answered = { status: 200, headers: {}, body: null };
  const res = {
    set statusCode(status: number) {
      answered.status = status;
    },
    setHeader(name: string, value: string | number) {
      answered.headers[name.toLowerCase()] = value;
    },
    end(body: string) {
      answered.body = JSON.parse(body) as { code?: string };
    },
  } as unknown as ServerResponse;
  const req = { url: '/api/v1/leads?x=1', id: 'req-1', headers: {} } as unknown as IncomingMessage;
  return { req, res, answered };
}

const within: RateLimitDecision = { allowed: true, limit: 100, remaining: 99, count: 1, resetSeconds: 42 };
const over: RateLimitDecision = { allowed: false, limit: 100, remaining: 0, count: 101, resetSeconds: 42 };

describe('answerEdge', () => {
  it('forwards an admitted request of a public path, adding nothing', () => {
    const { req, res, answered } = exchange();
    const forward = jest.fn();
    answerEdge(req, res, { kind: 'admitted' }, forward);
    expect(forward).toHaveBeenCalledTimes(1);
    expect(answered.headers).toEqual({});
  });

  it('forwards an admitted request of a rate-limited path with its RateLimit-* headers', () => {
    const { req, res, answered } = exchange();
    const forward = jest.fn();
    answerEdge(req, res, { kind: 'admitted', limits: within }, forward);
    expect(forward).toHaveBeenCalledTimes(1);
    expect(answered.headers).toEqual({
      'ratelimit-limit': '100',
      'ratelimit-remaining': '99',
      'ratelimit-reset': '42',
    });
  });

  it.each(['invalid_api_key', 'invalid_token'] as const)(
    'answers %s with 401 and a bearer challenge',
    (kind) => {
      const { req, res, answered } = exchange();
      const forward = jest.fn();
      answerEdge(req, res, { kind }, forward);
      expect(forward).not.toHaveBeenCalled();
      expect(answered.status).toBe(401);
      expect(answered.body?.code).toBe(kind);
      expect(answered.headers['www-authenticate']).toContain('Bearer');
    },
  );

  it('answers a client over its limit with 429, Retry-After and RateLimit-*', () => {
    const { req, res, answered } = exchange();
    const forward = jest.fn();
    answerEdge(req, res, { kind: 'rate_limited', limits: over }, forward);
    expect(forward).not.toHaveBeenCalled();
    expect(answered.status).toBe(429);
    expect(answered.body?.code).toBe('rate_limited');
    expect(answered.headers).toMatchObject({ 'ratelimit-remaining': '0', 'retry-after': '42' });
  });

  it('answers a check that could not run with 503 and Retry-After', () => {
    const { req, res, answered } = exchange();
    answerEdgeUnavailable(req, res);
    expect(answered.status).toBe(503);
    expect(answered.body?.code).toBe('service_unavailable');
    expect(answered.headers['retry-after']).toBe('5');
  });
});
