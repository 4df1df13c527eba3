import type { PlanQuotas } from '@leadflow/contracts';
import { MetricsService } from '@leadflow/platform/observability';
import type { Counter } from 'prom-client';
import type { RateLimitDecision } from '@leadflow/platform/ratelimit';
import {
  FixedWindowLimiter,
  quotaMonthOf,
  quotaMonthStart,
  secondsToNextQuotaMonth,
} from '@leadflow/platform/ratelimit';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS } from '../common/common.module';
import { IngestionEnv } from '../config/env.schema';
import type { ProviderEntity } from '../providers/provider.entity';
import type { WebhookEntity } from '../webhooks/webhook.entity';
import { IntakeError, IntakeErrorCode } from './intake.errors';
import { IntakeRepository } from './intake.repository';

const HOUR_MS = 3600_000;
const MINUTE_MS = 60_000;

/** Who a refused post came from, as far as intake could tell before refusing it. */
export type RefusedCaller = 'unauthenticated' | 'identified';

/**
 * Refused posts written to the request log per webhook and minute. Beyond it a refusal is answered
 * as usual but only counted (`ingestion_intake_refusals_unlogged_total`), so a flood of bad
 * credentials or of posts over the rate limit costs Redis counts, not database rows.
 */
export const REFUSAL_LOG_PER_MINUTE: Record<RefusedCaller, number> = {
  unauthenticated: 60,
  identified: 600,
};

/**
 * The limits of intake, counted in Redis so that every ingestion replica shares them exactly:
 * the webhook's rate limit, the provider's hourly limit, the organization's monthly lead quota,
 * the one-time use of each request signature, and how many refusals the request log takes.
 */
@Injectable()
export class IntakeLimits {
  private readonly logger = new Logger('IntakeLimits');
  private readonly limiter: FixedWindowLimiter;
  private readonly prefix: string;
  private readonly unlogged: Counter<'code'>;
  private readonly replayCheckFailures: Counter;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly requests: IntakeRepository,
    env: IngestionEnv,
    metrics: MetricsService,
  ) {
    this.prefix = env.REDIS_KEY_PREFIX;
    const failures = metrics.counter('ingestion_limit_failures_total', 'Limit checks Redis could not answer');
    this.unlogged = metrics.counter(
      'ingestion_intake_refusals_unlogged_total',
      'Refused webhook posts answered but not written to the request log (over its per-minute budget)',
      ['code'],
    );
    this.replayCheckFailures = metrics.counter(
      'ingestion_replay_check_failures_total',
      'Signed posts refused (503) because Redis could not check their signature for replay',
    );
    // Rate limits, hourly limits and quotas fail open: a Redis outage must not turn into refused
    // (lost) leads, and a caller that authenticated is only ever let through more than its limit.
    // Replay protection does not (firstUseOfSignature).
    this.limiter = new FixedWindowLimiter(redis, {
      keyPrefix: `${env.REDIS_KEY_PREFIX}intake:`,
      failOpen: true,
      onFailure: (error) => {
        failures.inc();
        this.logger.warn({ err: error }, 'limit check failed; letting the request through');
      },
    });
  }

  /**
   * Counts a post against the webhook's rate limit, then (if it passed) the provider's hourly
   * limit, in one round trip: a post the webhook refuses is not counted for the provider.
   */
  async webhookAndProvider(
    webhook: WebhookEntity,
    provider: ProviderEntity | null,
  ): Promise<{ webhook: RateLimitDecision; provider: RateLimitDecision | null }> {
    const [forWebhook, forProvider] = await this.limiter.consumeInOrder([
      { key: `wh:${webhook.id}`, limit: webhook.rateLimit, windowMs: webhook.rateWindowSeconds * 1000 },
      ...(provider ? [{ key: `pv:${provider.id}`, limit: provider.hourlyLimit, windowMs: HOUR_MS }] : []),
    ]);
    return { webhook: forWebhook, provider: forProvider ?? null };
  }

  /**
   * Whether the organization may take one more lead this month. The month's count lives in Redis,
   * seeded from the database when missing, and is raised after each stored lead.
   */
  async withinQuota(
    organizationId: string,
    quotas: PlanQuotas | undefined,
    now = new Date(),
  ): Promise<boolean> {
    const limit = quotas?.leads;
    if (limit === null || limit === undefined) return true;
    const used = await this.monthlyLeads(organizationId, now);
    return used === null || used < limit;
  }

  /** Refuses (429 `quota_exceeded`, Retry-After the next month) when the month's leads are used up. */
  async assertWithinQuota(organizationId: string, quotas: PlanQuotas | undefined): Promise<void> {
    if (await this.withinQuota(organizationId, quotas)) return;
    const retry = secondsToNextQuotaMonth(new Date());
    throw IntakeError.of(IntakeErrorCode.QuotaExceeded, {
      headers: { 'Retry-After': String(retry) },
      retryAfterSeconds: retry,
    });
  }

  /** Adds stored leads to the month's count (webhook posts one at a time, imports per batch). */
  async countLeads(organizationId: string, leads = 1, now = new Date()): Promise<void> {
    if (leads <= 0) return;
    const redisKey = this.quotaKey(organizationId, now);
    try {
      // A missing count is seeded from the database, which already holds these leads.
      if ((await this.redis.exists(redisKey)) === 0) await this.monthlyLeads(organizationId, now);
      else await this.redis.incrby(redisKey, leads);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not count stored leads toward the quota');
    }
  }

  /**
   * Records a signature as used, before its post is stored; false when it was already used (a
   * replay). SET NX is the claim: of concurrent identical posts exactly one gets it, and it keeps it
   * unless its write fails (releaseSignature). Fails closed: when Redis cannot answer, throws
   * `replay_protection_unavailable` (503, Retry-After) — taking the post unchecked would let a
   * captured signed post be replayed for as long as the outage lasts.
   */
  async firstUseOfSignature(webhookId: string, signature: string, ttlSeconds: number): Promise<boolean> {
    let set: string | null;
    try {
      set = await this.redis.set(this.signatureKey(webhookId, signature), '1', 'EX', ttlSeconds, 'NX');
    } catch (error) {
      this.replayCheckFailures.inc();
      this.logger.warn({ err: error }, 'replay check failed; refusing the signed post (503)');
      throw IntakeError.of(IntakeErrorCode.ReplayProtectionUnavailable);
    }
    return set === 'OK';
  }

  /**
   * Whether a refused post may be written to the request log: at most REFUSAL_LOG_PER_MINUTE per
   * webhook and kind of caller; the others are counted by code. Fails open like the other limits.
   */
  async mayLogRefusal(webhookId: string, caller: RefusedCaller, code: string): Promise<boolean> {
    const decision = await this.limiter.consume(
      `log:${caller}:${webhookId}`,
      REFUSAL_LOG_PER_MINUTE[caller],
      MINUTE_MS,
    );
    if (!decision.allowed) this.unlogged.inc({ code });
    return decision.allowed;
  }

  /**
   * Frees a signature marked used by a post that then failed on our side (5xx), so that the
   * vendor's identical retry is taken. Only the post that marked it calls this, once it knows.
   */
  async releaseSignature(webhookId: string, signature: string): Promise<void> {
    try {
      await this.redis.del(this.signatureKey(webhookId, signature));
    } catch (error) {
      this.logger.warn({ err: error }, 'could not release a signature; its retry will be refused');
    }
  }

  /** The month's lead count of an organization (one key per quota month). */
  private quotaKey(organizationId: string, now: Date): string {
    return `${this.prefix}quota:${organizationId}:${quotaMonthOf(now)}`;
  }

  private signatureKey(webhookId: string, signature: string): string {
    return `${this.prefix}sig:${webhookId}:${signature}`;
  }

  private async monthlyLeads(organizationId: string, now: Date): Promise<number | null> {
    const redisKey = this.quotaKey(organizationId, now);
    try {
      const cached = await this.redis.get(redisKey);
      if (cached !== null) return Number(cached);
      const counted = await this.requests.leadsSince(organizationId, quotaMonthStart(now));
      await this.redis.set(redisKey, String(counted), 'EX', 40 * 24 * 3600, 'NX');
      return Number((await this.redis.get(redisKey)) ?? counted);
    } catch (error) {
      this.logger.warn({ err: error }, 'quota check failed; letting the lead through');
      return null;
    }
  }
}
