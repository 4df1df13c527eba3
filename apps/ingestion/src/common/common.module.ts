import { createRedisClient } from '@leadflow/platform/ratelimit';
import { UnitOfWork } from '@leadflow/platform/persistence';
import type { OnModuleDestroy } from '@nestjs/common';
import { Global, Inject, Injectable, Logger, Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { IngestionEnv } from '../config/env.schema';

export const REDIS = Symbol('REDIS');

@Injectable()
class RedisCloser implements OnModuleDestroy {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onModuleDestroy(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** What every feature uses: the unit of work and the shared Redis connection (limits, replay checks). */
@Global()
@Module({
  providers: [
    UnitOfWork,
    {
      provide: REDIS,
      inject: [IngestionEnv],
      useFactory: (env: IngestionEnv) => createRedisClient(env.REDIS_URL, new Logger('Redis')),
    },
    RedisCloser,
  ],
  exports: [UnitOfWork, REDIS],
})
export class CommonModule {}
