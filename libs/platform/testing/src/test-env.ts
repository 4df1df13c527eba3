import { loadConfig } from '@leadflow/platform/config';
import { IsOptional, IsString, Matches } from 'class-validator';

/** Settings of a test run; `npm test` sets them, and the defaults suit a developer machine. */
export class TestEnv {
  @Matches(/^postgres(ql)?:\/\//)
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/leadflow';

  @IsString()
  KAFKA_BROKERS = '127.0.0.1:9092';

  @Matches(/^rediss?:\/\//)
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Names this run's databases and topics so runs never see each other's data. */
  @IsOptional()
  @Matches(/^[a-z0-9]*$/)
  TEST_RUN_ID = '';
}

let cached: TestEnv | undefined;
export function testEnv(): TestEnv {
  cached ??= loadConfig(TestEnv);
  return cached;
}

/**
 * The Redis of a test run: `REDIS_URL` (what `npm test` checks and every service reads), the local
 * default otherwise. Tests and benches take it from here rather than naming a host and port.
 */
export function testRedisUrl(): string {
  return testEnv().REDIS_URL;
}

/** Host and port of a redis:// URL (for a TCP proxy in front of it). */
export function redisAddressOf(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) };
}
