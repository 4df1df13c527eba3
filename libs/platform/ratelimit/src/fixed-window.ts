/** The outcome of one counted request. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** Requests left in the current window (0 once the limit is reached). */
  remaining: number;
  /** Requests counted in the current window, this one included (0 when Redis could not count). */
  count: number;
  /** Seconds until the window resets (at least 1). */
  resetSeconds: number;
}

/** The fixed window `now` falls in: its number (floor(now / windowMs)) and the seconds left in it. */
export function fixedWindowAt(now: number, windowMs: number): { window: number; resetSeconds: number } {
  const window = Math.floor(now / windowMs);
  return { window, resetSeconds: Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000)) };
}

/** The decision for the `count`-th request of a window. */
export function decide(count: number, limit: number, resetSeconds: number): RateLimitDecision {
  return { allowed: count <= limit, limit, remaining: Math.max(0, limit - count), count, resetSeconds };
}

/**
 * Response headers of a decision (draft-ietf-httpapi-ratelimit-headers): `RateLimit-Limit`,
 * `RateLimit-Remaining`, `RateLimit-Reset` (seconds), and `Retry-After` when refused.
 */
export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'RateLimit-Limit': String(decision.limit),
    'RateLimit-Remaining': String(decision.remaining),
    'RateLimit-Reset': String(decision.resetSeconds),
  };
  if (!decision.allowed) headers['Retry-After'] = String(decision.resetSeconds);
  return headers;
}
