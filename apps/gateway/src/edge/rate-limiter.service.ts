import { MetricsService } from '@leadflow/platform/observability';
import type { RateLimitDecision } from '@leadflow/platform/ratelimit';
import { FixedWindowLimiter, createRedisClient } from '@leadflow/platform/ratelimit';
import type { OnModuleDestroy } from '@nestjs/common';
import { Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { GatewayEnv } from '../config/env.schema';

const WINDOW_MS = 60_000;

/**
 * Fixed one-minute windows per client, counted in Redis so every gateway replica shares them
 * (libs/platform/ratelimit). If Redis cannot answer, requests are let through and the failure is
 * counted: an outage of the limiter must not become an outage of the API.
 */
@Injectable()
export class RateLimiterService implements OnModuleDestroy {
  private readonly logger = new Logger('RateLimiter');
  private readonly redis: Redis;
  private readonly limiter: FixedWindowLimiter;

  constructor(env: GatewayEnv, metrics: MetricsService) {
    this.redis = createRedisClient(env.REDIS_URL, this.logger);
    const failures = metrics.counter(
      'gateway_rate_limit_failures_total',
      'Rate-limit checks Redis could not answer',
    );
    this.limiter = new FixedWindowLimiter(this.redis, {
      keyPrefix: `${env.RATE_LIMIT_KEY_PREFIX}rl:`,
      failOpen: true,
      onFailure: (error) => {
        failures.inc();
        this.logger.warn({ err: error }, 'rate limit check failed; letting the request through');
      },
    });
  }

  /** Counts one request of `client` (e.g. `user:<id>`, `ip:<address>`) against `limit` a minute. */
  consume(client: string, limit: number): Promise<RateLimitDecision> {
    return this.limiter.consume(client, limit, WINDOW_MS);
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
