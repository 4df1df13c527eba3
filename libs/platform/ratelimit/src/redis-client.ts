import type { Logger } from '@nestjs/common';
import Redis from 'ioredis';

/**
 * A Redis client for request-path checks: it never queues commands while disconnected, retries a
 * command at most once and gives up connecting after 2 s, so a Redis outage answers quickly
 * (callers decide whether to fail open). Commands issued in the same event-loop turn (concurrent
 * requests' limit checks) go out in one write. Connection errors are logged, never thrown at the
 * process.
 */
export function createRedisClient(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    enableAutoPipelining: true,
  });
  redis.on('error', (error: Error) => logger.warn({ err: error }, 'redis error'));
  return redis;
}
