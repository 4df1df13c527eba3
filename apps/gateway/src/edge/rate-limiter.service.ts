import { MetricsService } from '@leadflow/platform/observability';
import type { OnModuleDestroy } from '@nestjs/common';
import { Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import Redis from 'ioredis';
import { GatewayEnv } from '../config/env.schema';

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

const WINDOW_MS = 60_000;

/**
 * Fixed one-minute windows per client, counted in Redis so every gateway replica shares them
 * (INCR and PEXPIRE NX in one transaction). If Redis cannot answer, requests are let through and
 * the failure is counted: an outage of the limiter must not become an outage of the API.
 */
@Injectable()
export class RateLimiterService implements OnModuleDestroy {
  private readonly logger = new Logger('RateLimiter');
  private readonly redis: Redis;
  private readonly failures: Counter<string>;

  constructor(
    private readonly env: GatewayEnv,
    metrics: MetricsService,
  ) {
    this.redis = new Redis(env.REDIS_URL, {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
    });
    this.redis.on('error', (error: Error) => this.logger.warn({ err: error }, 'redis error'));
    this.failures = metrics.counter(
      'gateway_rate_limit_failures_total',
      'Rate-limit checks Redis could not answer',
    );
  }

  async consume(client: string, limit: number): Promise<RateLimitDecision> {
    const now = Date.now();
    const window = Math.floor(now / WINDOW_MS);
    const resetSeconds = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
    const key = `${this.env.RATE_LIMIT_KEY_PREFIX}rl:${client}:${window}`;
    try {
      const results = await this.redis
        .multi()
        .incr(key)
        .pexpire(key, WINDOW_MS * 2, 'NX')
        .exec();
      const count = Number(results?.[0]?.[1] ?? 0);
      return { allowed: count <= limit, limit, remaining: Math.max(0, limit - count), resetSeconds };
    } catch (error) {
      this.failures.inc();
      this.logger.warn({ err: error }, 'rate limit check failed; letting the request through');
      return { allowed: true, limit, remaining: limit, resetSeconds };
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
