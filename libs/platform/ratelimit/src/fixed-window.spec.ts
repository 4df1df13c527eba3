import { decide, fixedWindowAt, rateLimitHeaders } from './fixed-window';

describe('fixed windows', () => {
  it('numbers windows by floor(now / windowMs) and counts the seconds left, at least 1', () => {
    expect(fixedWindowAt(120_000, 60_000)).toEqual({ window: 2, resetSeconds: 60 });
    expect(fixedWindowAt(120_001, 60_000)).toEqual({ window: 2, resetSeconds: 60 });
    expect(fixedWindowAt(178_500, 60_000)).toEqual({ window: 2, resetSeconds: 2 });
    expect(fixedWindowAt(179_999, 60_000)).toEqual({ window: 2, resetSeconds: 1 });
    expect(fixedWindowAt(5_500, 1_000)).toEqual({ window: 5, resetSeconds: 1 });
    expect(fixedWindowAt(7_200_000 + 60_000, 3_600_000)).toEqual({ window: 2, resetSeconds: 3540 });
  });

  it('allows up to the limit exactly, then refuses', () => {
    expect(decide(1, 3, 10)).toEqual({ allowed: true, limit: 3, remaining: 2, count: 1, resetSeconds: 10 });
    expect(decide(3, 3, 10)).toMatchObject({ allowed: true, remaining: 0 });
    expect(decide(4, 3, 10)).toEqual({ allowed: false, limit: 3, remaining: 0, count: 4, resetSeconds: 10 });
  });

  it('answers the RateLimit headers, and Retry-After only when refused', () => {
    expect(rateLimitHeaders(decide(2, 10, 42))).toEqual({
      'RateLimit-Limit': '10',
      'RateLimit-Remaining': '8',
      'RateLimit-Reset': '42',
    });
    expect(rateLimitHeaders(decide(11, 10, 42))).toEqual({
      'RateLimit-Limit': '10',
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': '42',
      'Retry-After': '42',
    });
  });
});
