import type Redis from 'ioredis';
import { FixedWindowLimiter } from './fixed-window.limiter';

/** Just enough of ioredis for the limiter: `defineCommand` and the defined command, recorded. */
function fakeRedis(answer: (keys: string[], args: number[]) => Promise<unknown>): {
  redis: Redis;
  calls: { keys: string[]; args: number[] }[];
} {
  const calls: { keys: string[]; args: number[] }[] = [];
  const redis = {
    defineCommand(name: string) {
      (redis as Record<string, unknown>)[name] = (numKeys: number, ...rest: (string | number)[]) => {
        const keys = rest.slice(0, numKeys) as string[];
        const args = rest.slice(numKeys) as number[];
        calls.push({ keys, args });
        return answer(keys, args);
      };
    },
  };
  return { redis: redis as unknown as Redis, calls };
}

describe('FixedWindowLimiter', () => {
  it("counts in the window's key, with the limit and a TTL of two windows", async () => {
    const { redis, calls } = fakeRedis(async () => [3]);
    const limiter = new FixedWindowLimiter(redis, {
      keyPrefix: 'p:',
      failOpen: true,
      now: () => 1_800_000_000_123,
    });
    const decision = await limiter.consume('user:42', 3, 60_000);
    const window = Math.floor(1_800_000_000_123 / 60_000);
    expect(calls).toEqual([{ keys: [`p:user:42:${window}`], args: [3, 120_000] }]);
    expect(decision).toEqual({ allowed: true, limit: 3, remaining: 0, count: 3, resetSeconds: 60 });
    const { redis: over } = fakeRedis(async () => [4]);
    expect(
      await new FixedWindowLimiter(over, { keyPrefix: '', failOpen: true }).consume('k', 3, 60_000),
    ).toEqual(expect.objectContaining({ allowed: false, remaining: 0, count: 4 }));
  });

  it('counts several windows in one call and answers the decisions the script made', async () => {
    const { redis, calls } = fakeRedis(async () => [11]); // refused by the first: the second not counted
    const limiter = new FixedWindowLimiter(redis, {
      keyPrefix: '',
      failOpen: false,
      now: () => 1_800_000_000_000,
    });
    const decisions = await limiter.consumeInOrder([
      { key: 'a', limit: 10, windowMs: 60_000 },
      { key: 'b', limit: 5, windowMs: 3_600_000 },
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0].args).toEqual([10, 120_000, 5, 7_200_000]);
    expect(decisions).toEqual([expect.objectContaining({ allowed: false, count: 11 })]);
  });

  it('numbers windows by the injected clock: the same key up to the boundary, the next one from it', async () => {
    const { redis, calls } = fakeRedis(async () => [1]);
    let now = 1_800_000_000_000 + 59_999; // the last millisecond of a one-minute window
    const limiter = new FixedWindowLimiter(redis, { keyPrefix: '', failOpen: false, now: () => now });
    expect(await limiter.consume('k', 5, 60_000)).toMatchObject({ resetSeconds: 1 });
    now += 1;
    expect(await limiter.consume('k', 5, 60_000)).toMatchObject({ resetSeconds: 60 });
    const window = Math.floor(1_800_000_000_000 / 60_000);
    expect(calls.map((c) => c.keys[0])).toEqual([`k:${window}`, `k:${window + 1}`]);
  });

  it('defines its script once per client, whatever the number of limiters', () => {
    const { redis } = fakeRedis(async () => [1]);
    const define = jest.spyOn(redis, 'defineCommand');
    new FixedWindowLimiter(redis, { keyPrefix: 'a:', failOpen: true });
    new FixedWindowLimiter(redis, { keyPrefix: 'b:', failOpen: true });
    expect(define).toHaveBeenCalledTimes(1);
  });

  it('fails open when asked to: every window allows, the failure reported', async () => {
    const failures: unknown[] = [];
    const { redis } = fakeRedis(() => Promise.reject(new Error('Connection is closed.')));
    const limiter = new FixedWindowLimiter(redis, {
      keyPrefix: '',
      failOpen: true,
      onFailure: (error) => failures.push(error),
    });
    expect(await limiter.consume('k', 5, 1000)).toMatchObject({ allowed: true, remaining: 5, count: 0 });
    expect(
      await limiter.consumeInOrder([
        { key: 'a', limit: 1, windowMs: 1000 },
        { key: 'b', limit: 2, windowMs: 1000 },
      ]),
    ).toMatchObject([{ allowed: true }, { allowed: true }]);
    expect(failures).toHaveLength(2);
  });

  it('fails closed otherwise: the error is thrown, also for an answer that is not counts', async () => {
    const failures: unknown[] = [];
    const options = { keyPrefix: '', failOpen: false, onFailure: (error: unknown) => failures.push(error) };
    const down = new FixedWindowLimiter(fakeRedis(() => Promise.reject(new Error('down'))).redis, options);
    await expect(down.consume('k', 5, 1000)).rejects.toThrow('down');
    const odd = new FixedWindowLimiter(fakeRedis(async () => 'OK').redis, options);
    await expect(odd.consume('k', 5, 1000)).rejects.toThrow('rate-limit script');
    expect(failures).toHaveLength(2);
  });
});
