import { MAX_RESET_REQUESTS, mayRequestReset } from './password-reset.policy';

describe('password-reset request limit', () => {
  const now = new Date('2026-11-23T12:00:00.000Z');
  const minutesAgo = (m: number): Date => new Date(now.getTime() - m * 60_000);

  it(`allows ${MAX_RESET_REQUESTS} requests per hour`, () => {
    expect(mayRequestReset([], now)).toBe(true);
    expect(mayRequestReset([minutesAgo(1), minutesAgo(2)], now)).toBe(true);
    expect(mayRequestReset([minutesAgo(1), minutesAgo(2), minutesAgo(59)], now)).toBe(false);
  });

  it('forgets requests older than an hour', () => {
    expect(mayRequestReset([minutesAgo(60), minutesAgo(61), minutesAgo(5)], now)).toBe(true);
  });
});
