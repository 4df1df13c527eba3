import { setTimeout as sleep } from 'node:timers/promises';

/** A fixed window as libs/platform/ratelimit numbers it: floor(now / windowMs). */
export interface FreshWindow {
  readonly window: number;
  /** Whether the clock is still in that window (check it after a burst, before its counts). */
  current(): boolean;
}

/**
 * Waits until the fixed window of `windowMs` that the clock is in has at least `needMs` left, and
 * answers it: a test that counts a burst against an epoch-aligned window (a service's rate limit,
 * which it cannot inject a clock into) starts it where no boundary falls mid-burst, and says so
 * (`current()`) rather than miscounting if one did. Waits on the clock itself, never a guess.
 */
export async function freshWindow(
  windowMs: number,
  needMs: number,
  clock: { now(): number; sleep(ms: number): Promise<unknown> } = { now: Date.now, sleep },
): Promise<FreshWindow> {
  const now = (): number => clock.now();
  if (needMs >= windowMs) throw new Error(`freshWindow: ${needMs} ms do not fit a ${windowMs} ms window`);
  for (;;) {
    const at = now();
    const left = windowMs - (at % windowMs);
    if (left >= needMs) {
      const window = Math.floor(at / windowMs);
      return { window, current: () => Math.floor(now() / windowMs) === window };
    }
    await clock.sleep(left + 1); // to the next window's start, then looked at again
  }
}
