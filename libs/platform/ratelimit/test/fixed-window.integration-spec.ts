import { testEnv } from '@leadflow/platform/testing';
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { FixedWindowLimiter, createRedisClient } from '../src';

/** The limiter against the real Redis: exact under concurrency across clients, and its failure modes. */
describe('FixedWindowLimiter on Redis', () => {
  const logger = new Logger('RateLimitTest');
  const clients: Redis[] = [];
  const client = (url = testEnv().REDIS_URL): Redis => {
    const redis = createRedisClient(url, logger);
    clients.push(redis);
    return redis;
  };
  /** Commands are not queued while connecting (enableOfflineQueue false): wait for the connection. */
  const connected = async (redis: Redis): Promise<Redis> => {
    if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
    return redis;
  };
  const keyPrefix = `test:${randomBytes(4).toString('hex')}:`;
  /** A clock stopped at the start of the current hour: every window of a test is the one it began in. */
  const stopped = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const now = (): number => stopped;

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
  });

  it('admits exactly `limit` of many concurrent requests through two replicas, and expires its keys', async () => {
    const a = new FixedWindowLimiter(await connected(client()), { keyPrefix, failOpen: false, now });
    const b = new FixedWindowLimiter(await connected(client()), { keyPrefix, failOpen: false, now });
    const windowMs = 3_600_000;
    const decisions = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).consume('burst', 25, windowMs)),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(25);
    expect(decisions.map((d) => d.count).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 60 }, (_, i) => i + 1),
    );
    const keys = await clients[0].keys(`${keyPrefix}burst:*`);
    expect(keys).toHaveLength(1);
    const ttl = await clients[0].pttl(keys[0]);
    expect(ttl).toBeGreaterThan(windowMs);
    expect(ttl).toBeLessThanOrEqual(2 * windowMs);
    expect((await a.consume('another', 25, windowMs)).remaining).toBe(24);
  });

  it('counts a request in several windows in order, the windows after a refusal untouched', async () => {
    // The stopped clock keeps the 5 requests in one one-minute window, wherever the real clock is.
    const limiter = new FixedWindowLimiter(await connected(client()), { keyPrefix, failOpen: false, now });
    const windows = [
      { key: 'webhook', limit: 3, windowMs: 60_000 },
      { key: 'provider', limit: 100, windowMs: 3_600_000 },
    ];
    const decisions = await Promise.all(Array.from({ length: 5 }, () => limiter.consumeInOrder(windows)));
    const allowed = decisions.filter((d) => d.length === 2 && d.every((w) => w.allowed));
    expect(allowed).toHaveLength(3);
    expect(decisions.filter((d) => d.length === 1 && !d[0].allowed)).toHaveLength(2);
    const providerKeys = await clients[0].keys(`${keyPrefix}provider:*`);
    expect(Number(await clients[0].get(providerKeys[0]))).toBe(3); // refused requests not counted
    const ttl = await clients[0].pttl(providerKeys[0]);
    expect(ttl).toBeGreaterThan(3_600_000);
  });

  it('fails open or closed as configured when Redis does not answer', async () => {
    const unreachable = client('redis://127.0.0.1:1');
    const failures: unknown[] = [];
    const open = new FixedWindowLimiter(unreachable, {
      keyPrefix,
      failOpen: true,
      onFailure: (e) => failures.push(e),
    });
    expect(await open.consume('k', 3, 1000)).toMatchObject({ allowed: true, remaining: 3 });
    const closed = new FixedWindowLimiter(unreachable, { keyPrefix, failOpen: false });
    await expect(closed.consume('k', 3, 1000)).rejects.toThrow();
    expect(failures).toHaveLength(1);
  });
});
