import type Redis from 'ioredis';
import { FixedWindowLimiter } from './fixed-window.limiter';

type ExecResult = [Error | null, unknown][] | null;

/** Just enough of ioredis's MULTI for the limiter: records the commands, answers `exec`. */
function fakeRedis(exec: () => Promise<ExecResult>): { redis: Redis; commands: unknown[][] } {
  const commands: unknown[][] = [];
  const chain = {
    incr: (...args: unknown[]) => (commands.push(['incr', ...args]), chain),
    pexpire: (...args: unknown[]) => (commands.push(['pexpire', ...args]), chain),
    exec,
  };
  return { redis: { multi: () => chain } as unknown as Redis, commands };
}

describe('FixedWindowLimiter', () => {
  afterEach(() => jest.useRealTimers());

  it("counts in the window's key with INCR and PEXPIRE NX (two windows) in one MULTI", async () => {
    jest.useFakeTimers({ now: 1_800_000_000_123 });
    const { redis, commands } = fakeRedis(async () => [
      [null, 3],
      [null, 1],
    ]);
    const limiter = new FixedWindowLimiter(redis, { keyPrefix: 'p:', failOpen: true });
    const decision = await limiter.consume('user:42', 3, 60_000);
    const window = Math.floor(1_800_000_000_123 / 60_000);
    expect(commands).toEqual([
      ['incr', `p:user:42:${window}`],
      ['pexpire', `p:user:42:${window}`, 120_000, 'NX'],
    ]);
    expect(decision).toEqual({ allowed: true, limit: 3, remaining: 0, count: 3, resetSeconds: 60 });
    const { redis: over } = fakeRedis(async () => [
      [null, 4],
      [null, 0],
    ]);
    expect(
      await new FixedWindowLimiter(over, { keyPrefix: '', failOpen: true }).consume('k', 3, 60_000),
    ).toEqual(expect.objectContaining({ allowed: false, remaining: 0, count: 4 }));
  });

  it('fails open when asked to: allowed, the failure reported', async () => {
    const failures: unknown[] = [];
    const { redis } = fakeRedis(() => Promise.reject(new Error('Connection is closed.')));
    const limiter = new FixedWindowLimiter(redis, {
      keyPrefix: '',
      failOpen: true,
      onFailure: (error) => failures.push(error),
    });
    expect(await limiter.consume('k', 5, 1000)).toMatchObject({ allowed: true, remaining: 5, count: 0 });
    expect(failures).toHaveLength(1);
  });

  it('fails closed otherwise: the error is thrown, also for a command error inside the MULTI', async () => {
    const failures: unknown[] = [];
    const options = { keyPrefix: '', failOpen: false, onFailure: (error: unknown) => failures.push(error) };
    const down = new FixedWindowLimiter(fakeRedis(() => Promise.reject(new Error('down'))).redis, options);
    await expect(down.consume('k', 5, 1000)).rejects.toThrow('down');
    const wrongType = new FixedWindowLimiter(
      fakeRedis(async () => [
        [new Error('WRONGTYPE'), null],
        [null, 0],
      ]).redis,
      options,
    );
    await expect(wrongType.consume('k', 5, 1000)).rejects.toThrow('WRONGTYPE');
    const aborted = new FixedWindowLimiter(fakeRedis(async () => null).redis, options);
    await expect(aborted.consume('k', 5, 1000)).rejects.toThrow('aborted');
    expect(failures).toHaveLength(3);
  });
});
