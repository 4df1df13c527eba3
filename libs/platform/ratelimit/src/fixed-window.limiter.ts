import type Redis from 'ioredis';
import type { RateLimitDecision } from './fixed-window';
import { decide, fixedWindowAt } from './fixed-window';

export interface FixedWindowLimiterOptions {
  /** Prepended to every key (e.g. `leadflow:rl:`); tests use one per run. */
  keyPrefix: string;
  /** When Redis cannot answer: `true` lets the request through, `false` throws the error. */
  failOpen: boolean;
  /** Called with every Redis failure (count it, log it), before failing open or throwing. */
  onFailure?: (error: unknown) => void;
}

/**
 * Fixed-window counters in Redis, shared by every replica: the key of a window is
 * `<keyPrefix><key>:<floor(now / windowMs)>`, and INCR plus PEXPIRE NX (two windows) run in one
 * MULTI, so each request is counted exactly once whichever replica sees it and keys expire on
 * their own.
 */
export class FixedWindowLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly options: FixedWindowLimiterOptions,
  ) {}

  async consume(key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    const { window, resetSeconds } = fixedWindowAt(Date.now(), windowMs);
    const redisKey = `${this.options.keyPrefix}${key}:${window}`;
    let count: number;
    try {
      count = await this.increment(redisKey, windowMs * 2);
    } catch (error) {
      this.options.onFailure?.(error);
      if (!this.options.failOpen) throw error;
      return { allowed: true, limit, remaining: limit, count: 0, resetSeconds };
    }
    return decide(count, limit, resetSeconds);
  }

  private async increment(key: string, ttlMs: number): Promise<number> {
    const results = await this.redis.multi().incr(key).pexpire(key, ttlMs, 'NX').exec();
    const [incr] = results ?? [];
    if (!incr) throw new Error('Redis aborted the rate-limit transaction');
    const [error, value] = incr;
    if (error) throw error;
    const count = Number(value);
    if (!Number.isInteger(count) || count < 1) throw new Error(`Redis answered INCR with ${String(value)}`);
    return count;
  }
}
