import { BaseServiceEnv } from '@leadflow/platform/config';
import { IsInt, Matches, Max, Min } from 'class-validator';
import type { UpstreamService } from '../routing/route-table';

const UPSTREAM_URL = /^https?:\/\/[^/\s?#]+\/?$/;
const upstreamUrl = (name: string) => ({
  message: `${name} must be an http(s)://host:port URL without a path`,
});

/**
 * Settings of the gateway (shared ones are documented on BaseServiceEnv). The gateway has no
 * database and no Kafka: it routes HTTP to the services below, whose base URLs are set here.
 */
export class GatewayEnv extends BaseServiceEnv {
  @IsInt()
  @Min(1)
  @Max(65535)
  GATEWAY_PORT = 3000;

  /** Longest silence (no bytes either way) allowed on an upstream request before it answers 504. */
  @IsInt()
  @Min(100)
  @Max(600_000)
  UPSTREAM_TIMEOUT_MS = 30_000;

  /** How long `/readyz` and `/docs/<service>/openapi.json` wait for one upstream. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  READINESS_TIMEOUT_MS = 3000;

  /** Redis shared by gateway replicas for rate limits. */
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prefix of the gateway's Redis keys (tests use one per run). */
  @Matches(/^[A-Za-z0-9:._-]*$/, { message: 'RATE_LIMIT_KEY_PREFIX may hold letters, digits and : . _ -' })
  RATE_LIMIT_KEY_PREFIX = 'leadflow:';

  /** Requests a minute per authenticated client (user or API key) on /api/v1. */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_PER_MINUTE = 600;

  /** Requests a minute per IP address on the anonymous /api/v1 routes (sign-up, login, refresh). */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_ANONYMOUS_PER_MINUTE = 120;

  @Matches(UPSTREAM_URL, upstreamUrl('IDENTITY_URL'))
  IDENTITY_URL = 'http://127.0.0.1:3001';

  @Matches(UPSTREAM_URL, upstreamUrl('INGESTION_URL'))
  INGESTION_URL = 'http://127.0.0.1:3002';

  @Matches(UPSTREAM_URL, upstreamUrl('ENRICHMENT_URL'))
  ENRICHMENT_URL = 'http://127.0.0.1:3003';

  @Matches(UPSTREAM_URL, upstreamUrl('CAMPAIGNS_URL'))
  CAMPAIGNS_URL = 'http://127.0.0.1:3004';

  @Matches(UPSTREAM_URL, upstreamUrl('VOICE_URL'))
  VOICE_URL = 'http://127.0.0.1:3005';

  @Matches(UPSTREAM_URL, upstreamUrl('ROUTING_URL'))
  ROUTING_URL = 'http://127.0.0.1:3006';

  @Matches(UPSTREAM_URL, upstreamUrl('ANALYTICS_URL'))
  ANALYTICS_URL = 'http://127.0.0.1:3007';
}

/** Base URL of each upstream service, without a trailing slash. */
export function upstreamUrls(env: GatewayEnv): Record<UpstreamService, string> {
  const trim = (url: string) => url.replace(/\/+$/, '');
  return {
    identity: trim(env.IDENTITY_URL),
    ingestion: trim(env.INGESTION_URL),
    enrichment: trim(env.ENRICHMENT_URL),
    campaigns: trim(env.CAMPAIGNS_URL),
    voice: trim(env.VOICE_URL),
    routing: trim(env.ROUTING_URL),
    analytics: trim(env.ANALYTICS_URL),
  };
}
