import { LOGIN_WINDOW_MS, loginAttemptsExpiredBefore, retryAfterSeconds } from './login-throttle';

const now = new Date('2026-11-23T12:00:00Z');
const ago = (ms: number): Date => new Date(now.getTime() - ms);

describe('login throttle', () => {
  it('allows attempts below the limit', () => {
    expect(retryAfterSeconds([ago(1000), ago(500)], 5, now)).toBeNull();
    expect(retryAfterSeconds([], 5, now)).toBeNull();
  });

  it('blocks at the limit until the oldest counted failure leaves the 15-minute window', () => {
    const failures = [ago(10 * 60_000), ago(4000), ago(3000), ago(2000), ago(1000)];
    expect(retryAfterSeconds(failures, 5, now)).toBe(5 * 60);
  });

  it('ignores failures outside the window', () => {
    const failures = [ago(LOGIN_WINDOW_MS + 1), ago(4000), ago(3000), ago(2000), ago(1000)];
    expect(retryAfterSeconds(failures, 5, now)).toBeNull();
  });

  it('with more failures than the limit, waits for enough of them to expire', () => {
    const failures = [ago(14 * 60_000), ago(13 * 60_000), ago(3000), ago(2000), ago(1000), ago(500)];
    expect(retryAfterSeconds(failures, 5, now)).toBe(2 * 60);
  });

  it('keeps attempts for twice the window: older ones can be deleted', () => {
    expect(loginAttemptsExpiredBefore(now)).toEqual(ago(2 * LOGIN_WINDOW_MS));
    // An attempt just inside the retention still counts for a decision at the window's edge.
    expect(loginAttemptsExpiredBefore(now).getTime()).toBeLessThan(ago(LOGIN_WINDOW_MS).getTime());
  });
});
