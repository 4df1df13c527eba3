export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_IP = 20;
/** Login attempts are kept for twice the window; older ones can no longer affect any decision. */
export const LOGIN_ATTEMPT_RETENTION_MS = 2 * LOGIN_WINDOW_MS;

/** Attempts made before this instant may be deleted. */
export function loginAttemptsExpiredBefore(now: Date): Date {
  return new Date(now.getTime() - LOGIN_ATTEMPT_RETENTION_MS);
}

/**
 * Seconds until another attempt is allowed, or null when it is allowed now. `failures`: times of
 * failed attempts, oldest first; the limit applies to those within the window.
 */
export function retryAfterSeconds(
  failures: readonly Date[],
  limit: number,
  now: Date,
  windowMs = LOGIN_WINDOW_MS,
): number | null {
  const recent = failures.filter((f) => now.getTime() - f.getTime() < windowMs);
  if (recent.length < limit) return null;
  // Allowed again once enough of them left the window that fewer than `limit` remain.
  const leaving = recent[recent.length - limit];
  return Math.max(1, Math.ceil((leaving.getTime() + windowMs - now.getTime()) / 1000));
}
