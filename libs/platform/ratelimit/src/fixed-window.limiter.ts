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
  /**
   * The clock windows are numbered by (milliseconds since the epoch; `Date.now` by default). Tests
   * inject one to place requests in a window of their choosing, never across a boundary by chance.
   */
  now?: () => number;
}

/** One window a request is counted in. */
export interface WindowCheck {
  key: string;
  limit: number;
  windowMs: number;
}

/**
 * Counts a request in windows in order, atomically: INCR, PEXPIRE NX (two windows), and a window
 * over its limit stops the count there, so the windows after it never count a refused request.
 * KEYS are the window keys; ARGV holds limit and TTL per key. Answers the counts made.
 */
const CONSUME_SCRIPT = `
local counts = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  redis.call('PEXPIRE', key, ARGV[i * 2], 'NX')
  counts[i] = count
  if count > tonumber(ARGV[i * 2 - 1]) then break end
end
return counts`;

const COMMAND = 'leadflowConsumeWindows';

type ConsumeCommand = (numKeys: number, ...keysAndArgs: (string | number)[]) => Promise<unknown>;

/**
 * Fixed-window counters in Redis, shared by every replica: the key of a window is
 * `<keyPrefix><key>:<floor(now / windowMs)>`, and one Lua script counts a request in all of its
 * windows (sent as EVALSHA: one round trip, however many windows), so each request is counted
 * exactly once whichever replica sees it and keys expire on their own.
 */
export class FixedWindowLimiter {
  private readonly command: ConsumeCommand;

  constructor(
    redis: Redis,
    private readonly options: FixedWindowLimiterOptions,
  ) {
    const commands = redis as unknown as Record<string, ConsumeCommand | undefined>;
    if (!commands[COMMAND]) redis.defineCommand(COMMAND, { lua: CONSUME_SCRIPT });
    this.command = (commands[COMMAND] as ConsumeCommand).bind(redis);
  }

  async consume(key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    const [decision] = await this.consumeInOrder([{ key, limit, windowMs }]);
    return decision;
  }

  /**
   * Counts one request in each window in order, stopping at the first that refuses it: answers
   * the decisions made (all allowed, or ending with the refusal). Failing open, every window
   * allows.
   */
  async consumeInOrder(checks: readonly WindowCheck[]): Promise<RateLimitDecision[]> {
    const now = (this.options.now ?? Date.now)();
    const windows = checks.map((check) => ({ check, ...fixedWindowAt(now, check.windowMs) }));
    let counts: number[];
    try {
      counts = await this.increment(
        windows.map((w) => `${this.options.keyPrefix}${w.check.key}:${w.window}`),
        windows.flatMap((w) => [w.check.limit, w.check.windowMs * 2]),
      );
    } catch (error) {
      this.options.onFailure?.(error);
      if (!this.options.failOpen) throw error;
      return windows.map(({ check, resetSeconds }) => ({
        allowed: true,
        limit: check.limit,
        remaining: check.limit,
        count: 0,
        resetSeconds,
      }));
    }
    return counts.map((count, i) => decide(count, windows[i].check.limit, windows[i].resetSeconds));
  }

  private async increment(keys: string[], args: number[]): Promise<number[]> {
    const answer = await this.command(keys.length, ...keys, ...args);
    const counts = Array.isArray(answer) ? answer.map(Number) : [];
    if (counts.length === 0 || counts.some((c) => !Number.isInteger(c) || c < 1)) {
      throw new Error(`Redis answered the rate-limit script with ${JSON.stringify(answer)}`);
    }
    return counts;
  }
}
