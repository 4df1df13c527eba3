import type { PlanQuotas } from '@leadflow/contracts';
import { LeadRejected } from '@leadflow/contracts';
import { ChangeRecorder } from '@leadflow/platform/audit';
import { DomainError, NotFoundError, statusOfKind } from '@leadflow/platform/errors';
import type { RateLimitDecision } from '@leadflow/platform/ratelimit';
import { rateLimitHeaders } from '@leadflow/platform/ratelimit';
import { UnitOfWork, nowMs } from '@leadflow/platform/persistence';
import { Injectable, Logger } from '@nestjs/common';
import { parse as parseForm } from 'qs';
import { v7 as uuidv7, validate as isUuid } from 'uuid';
import { dedupScopeOf, sourceKeyOf } from '../recording/lead-source';
import { IngestionEnv } from '../config/env.schema';
import type { FieldIssue } from '@leadflow/normalization';
import { normalizeLead } from '@leadflow/normalization';
import { providerKeyMatches } from '../providers/provider-key';
import { providerMayPost } from '../providers/provider-scope';
import type { ProviderEntity } from '../providers/provider.entity';
import { ProvidersRepository } from '../providers/providers.repository';
import { WebhookSecrets } from '../webhooks/webhook-secrets';
import { verifySignature } from '../webhooks/webhook-signature';
import type { WebhookEntity } from '../webhooks/webhook.entity';
import { IntakeRequestEntity } from './intake-request.entity';
import { decideAdmission } from './intake-admission';
import { REFUSED_BODY_KEEP_BYTES, truncatedBody } from './request-body';
import type { RefusedCaller } from './intake-limits';
import { IntakeLimits } from './intake-limits';
import { IntakeError, IntakeErrorCode } from './intake.errors';
import type { IntakeContext } from './intake.repository';
import { IntakeRepository } from './intake.repository';
import type { RecordResult } from './intake-writer';
import { IntakeWriter } from './intake-writer';

/** One vendor post, as the controller hands it over. */
export interface IntakePost {
  webhookId: string;
  body: Buffer;
  contentType: string | null;
  providerId: string | null;
  providerKey: string | null;
  signature: string | null;
  idempotencyKey: string | null;
  ip: string | null;
  userAgent: string | null;
}

/** What the lead of a stored post is now. */
export interface ReceivedLead {
  leadId: string;
  contactId: string;
  status: string;
}

/** What became of a stored post (the route answers it: 201 for `created`, 200 otherwise). */
export type IntakeReceipt =
  /** A new lead. */
  | { kind: 'created'; lead: ReceivedLead }
  /** The same person and vertical within the window: stored as a duplicate of `originalLeadId`. */
  | { kind: 'duplicate'; lead: ReceivedLead; originalLeadId: string }
  /** The same external id from the same source, or the same Idempotency-Key: nothing new stored. */
  | { kind: 'replayed'; lead: ReceivedLead };

/** A post its webhook admitted: authenticated, within the limits, its signature (if any) claimed. */
export interface IntakeAdmission {
  readonly admitted: Admitted;
  readonly signature: string | null;
  /** The webhook's rate decision for the post (the route answers it as RateLimit-* headers). */
  readonly limits: RateLimitDecision;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** A post to a known webhook that takes posts: logged against it, whatever becomes of it. */
export interface Admitted {
  post: IntakePost;
  webhook: WebhookEntity;
  /** The provider of X-Provider-Id, once its key matched. */
  provider: ProviderEntity | null;
  receivedAt: Date;
}

/**
 * The vendor intake: authenticate (provider key or signature), enforce limits, parse, normalize
 * and validate, then store the lead, its contact, the request log and the outbox events in one
 * transaction — 201 is only answered once all of that is committed.
 */
@Injectable()
export class IntakeService {
  private readonly logger = new Logger('Intake');

  constructor(
    private readonly providers: ProvidersRepository,
    private readonly secrets: WebhookSecrets,
    private readonly limits: IntakeLimits,
    private readonly writer: IntakeWriter,
    private readonly requests: IntakeRepository,
    private readonly changes: ChangeRecorder,
    private readonly uow: UnitOfWork,
    private readonly env: IngestionEnv,
  ) {}

  /**
   * Admits a post to its webhook (or throws the refusal, logged against the webhook when it is one
   * that takes posts). The route then stores it with `store`.
   */
  async admit(post: IntakePost): Promise<IntakeAdmission> {
    const receivedAt = nowMs();
    const providerId = post.providerId !== null && isUuid(post.providerId) ? post.providerId : null;
    const context = isUuid(post.webhookId) ? await this.requests.context(post.webhookId, providerId) : null;
    if (!context) throw new NotFoundError('webhook', post.webhookId);
    const { webhook } = context;
    // Nothing is kept for a webhook that takes no posts at all.
    if (webhook.status === 'archived') throw IntakeError.of(IntakeErrorCode.WebhookArchived);
    if (webhook.status === 'paused') throw IntakeError.of(IntakeErrorCode.WebhookPaused);

    // From here on every refusal is written to the webhook's request log.
    const admitted: Admitted = { post, webhook, provider: null, receivedAt };
    try {
      const { signature, rate } = await this.checkAdmission(admitted, context);
      return { admitted, signature, limits: rate };
    } catch (error) {
      if (error instanceof DomainError) await this.logRefusal(admitted, error);
      throw error;
    }
  }

  /**
   * Stores an admitted post: parses, normalizes and validates it (a refusal is logged and thrown),
   * then stores the lead, its contact, the request log and the outbox events in one transaction.
   * When storing fails on our side, the post's signature may be used again (the vendor's retry).
   */
  async store(admission: IntakeAdmission): Promise<IntakeReceipt> {
    const { admitted, signature } = admission;
    const { webhook, provider, receivedAt } = admitted;
    try {
      const result = await this.storeAdmitted(admitted);
      // last_used_at is kept to the minute; the loaded row says whether this post moves it.
      if (
        provider &&
        (!provider.lastUsedAt || receivedAt.getTime() - provider.lastUsedAt.getTime() >= 60_000)
      ) {
        this.providers
          .touch(webhook.organizationId, provider.id, receivedAt)
          .catch((error: unknown) => this.logger.warn({ err: error }, 'could not mark the provider used'));
      }
      return receiptOf(result);
    } catch (error) {
      // Our failure, not the post's: the vendor's identical retry must not be refused as a replay.
      if (signature && !(error instanceof DomainError && statusOfKind[error.kind] < 500)) {
        await this.limits.releaseSignature(webhook.id, signature);
      }
      throw error;
    }
  }

  /**
   * Authenticates the caller (setting `admitted.provider`), checks its rights (in the order of
   * `decideAdmission`), then the limits, and claims the signature (one use each); throws the
   * refusal. Answers the signature claimed and the webhook's rate decision.
   */
  private async checkAdmission(
    admitted: Admitted,
    context: IntakeContext,
  ): Promise<{ signature: string | null; rate: RateLimitDecision }> {
    const { post, webhook } = admitted;
    const found = context.provider;
    const provider =
      post.providerId !== null &&
      found &&
      post.providerKey !== null &&
      providerKeyMatches(post.providerKey, found.keyHash)
        ? found
        : null;
    admitted.provider = provider;
    const decision = decideAdmission({
      provider:
        post.providerId === null
          ? 'none'
          : provider
            ? { active: provider.active, mayPostHere: providerMayPost(provider, webhook) }
            : 'unknown',
      signature: post.signature,
      requireSignature: webhook.requireSignature,
      verifySignature: (signature) =>
        verifySignature(
          signature,
          post.body,
          this.secrets.valid(webhook),
          Math.floor(Date.now() / 1000),
          this.env.SIGNATURE_TOLERANCE_SECONDS,
        ),
    });
    if (!decision.admit) {
      throw IntakeError.of(decision.refusal.code);
    }
    const { signature } = decision;
    const rate = await this.enforceLimits(webhook, provider, context.quotas);
    if (signature && !(await this.limits.firstUseOfSignature(webhook.id, signature, this.replayTtl()))) {
      throw IntakeError.of(IntakeErrorCode.SignatureReplayed);
    }
    return { signature, rate };
  }

  private async enforceLimits(
    webhook: WebhookEntity,
    provider: ProviderEntity | null,
    quotas: PlanQuotas | null,
  ): Promise<RateLimitDecision> {
    const { webhook: rate, provider: hourly } = await this.limits.webhookAndProvider(webhook, provider);
    if (!rate.allowed) {
      throw IntakeError.of(IntakeErrorCode.RateLimited, {
        limit: webhook.rateLimit,
        windowSeconds: webhook.rateWindowSeconds,
        headers: rateLimitHeaders(rate),
        retryAfterSeconds: rate.resetSeconds,
      });
    }
    if (provider && hourly && !hourly.allowed) {
      throw IntakeError.of(IntakeErrorCode.ProviderRateLimited, {
        hourlyLimit: provider.hourlyLimit,
        headers: rateLimitHeaders(hourly),
        retryAfterSeconds: hourly.resetSeconds,
      });
    }
    await this.limits.assertWithinQuota(webhook.organizationId, quotas ?? undefined);
    return rate;
  }

  private async storeAdmitted(admitted: Admitted): Promise<RecordResult> {
    const { post, webhook, provider } = admitted;
    const body = this.parseBody(post);
    const idempotencyKey = post.idempotencyKey;
    const issues: FieldIssue[] = [];
    if (idempotencyKey !== null && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      issues.push({
        field: 'Idempotency-Key',
        rule: 'format',
        message: 'Idempotency-Key must be 1–200 visible ASCII characters',
      });
    }
    if (body instanceof DomainError) {
      await this.logRefusal(admitted, body);
      throw body;
    }
    const normalized = normalizeLead(body, {
      vertical: webhook.vertical,
      fieldMapping: webhook.fieldMapping,
      requireConsent: webhook.requireConsent,
    });
    if (!normalized.ok || issues.length > 0) {
      const error = IntakeError.of(IntakeErrorCode.InvalidLead, {
        fieldErrors: [...issues, ...(normalized.ok ? [] : normalized.errors)],
      });
      await this.logRefusal(admitted, error);
      throw error;
    }
    const requestId = uuidv7();
    const source = {
      providerId: provider?.id ?? null,
      webhookId: webhook.id,
      dedup: { scope: webhook.dedupScope },
    };
    const request = this.requestRow(admitted, requestId, {
      outcome: 'accepted',
      httpStatus: 201,
      code: null,
      errors: [],
      leadId: null,
    });
    return this.writer.store({
      target: {
        organizationId: webhook.organizationId,
        workspaceId: webhook.workspaceId,
        webhookId: webhook.id,
        vertical: webhook.vertical,
        channel: 'webhook',
        dedup: { windowHours: webhook.dedupWindowHours, match: webhook.dedupMatch },
        scope: dedupScopeOf(source),
      },
      lead: normalized.lead,
      source: {
        sourceKey: sourceKeyOf(source),
        idempotencyKey,
        providerId: provider?.id ?? null,
        requestId,
        importId: null,
        importRow: null,
        cost: provider?.costPerLead ?? null,
        currency: provider?.currency ?? null,
      },
      request,
    });
  }

  /** The parsed body, or the error to answer (logged as a rejection by the caller). */
  private parseBody(post: IntakePost): unknown {
    const type = (post.contentType ?? '').split(';')[0].trim().toLowerCase();
    const text = post.body.toString('utf8');
    if (type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))) {
      if (text.trim() === '')
        return IntakeError.of(IntakeErrorCode.InvalidLead, { fieldErrors: [emptyBodyIssue()] });
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        return IntakeError.of(IntakeErrorCode.MalformedBody, { reason: (error as Error).message });
      }
    }
    if (type === 'application/x-www-form-urlencoded') {
      if (text.trim() === '')
        return IntakeError.of(IntakeErrorCode.InvalidLead, { fieldErrors: [emptyBodyIssue()] });
      return parseForm(text, { depth: 5, arrayLimit: 50, parameterLimit: 1000, allowPrototypes: false });
    }
    return IntakeError.of(IntakeErrorCode.UnsupportedMediaType, { contentType: type });
  }

  /**
   * Writes a refused post to the request log, and announces it as `lead.rejected` when it says
   * something about the source's leads: a refusal of the lead itself (400, 415, 422) or of an
   * identified provider (403). Rate and quota refusals (429) are logged without an event (they are
   * about volume, not lead quality), and so are 401s (the sender is unknown). 401s and the refusals
   * that come before the lead is read (403, 429) are logged within a per-webhook budget
   * (IntakeLimits.mayLogRefusal), so that a flood writes no unbounded rows; the refusals of read
   * leads come after the rate limit, which bounds them. Failing to log never changes the answer.
   */
  private async logRefusal(admitted: Admitted, error: DomainError): Promise<void> {
    const status = statusOfKind[error.kind];
    if (status >= 500) return;
    const budget: RefusedCaller | null =
      error.kind === 'unauthorized'
        ? 'unauthenticated'
        : status === 403 || status === 429
          ? 'identified'
          : null;
    const announce = error.kind !== 'unauthorized' && error.kind !== 'rate_limited';
    try {
      if (budget && !(await this.limits.mayLogRefusal(admitted.webhook.id, budget, error.code))) return;
      const requestId = uuidv7();
      const reasons = error.fieldErrors?.map((e) => `${e.field}: ${e.message}`) ?? [error.message];
      await this.uow.run(async (tx) => {
        await this.requests.insertRequest(
          tx,
          this.requestRow(
            admitted,
            requestId,
            {
              outcome: 'rejected',
              httpStatus: status,
              code: error.code,
              errors: error.fieldErrors ?? [],
              leadId: null,
            },
            error.kind === 'unauthorized' ? null : truncatedBody(admitted.post.body, REFUSED_BODY_KEEP_BYTES),
          ),
        );
        if (!announce) return;
        await this.changes.record(tx, {
          events: [
            {
              contract: LeadRejected,
              aggregateId: requestId,
              organizationId: admitted.webhook.organizationId,
              workspaceId: admitted.webhook.workspaceId,
              payload: {
                requestId,
                channel: 'webhook',
                webhookId: admitted.webhook.id,
                providerId: admitted.provider?.id ?? null,
                importId: null,
                code: error.code,
                reasons: reasons.slice(0, 50),
              },
            },
          ],
        });
      });
    } catch (failure) {
      this.logger.warn({ err: failure, code: error.code }, 'could not log a refused post');
    }
  }

  private requestRow(
    admitted: Admitted,
    id: string,
    outcome: Pick<IntakeRequestEntity, 'outcome' | 'httpStatus' | 'code' | 'errors' | 'leadId'>,
    rawBody: Buffer | null = admitted.post.body,
  ): IntakeRequestEntity {
    const { post, webhook, provider, receivedAt } = admitted;
    return Object.assign(new IntakeRequestEntity(), {
      id,
      organizationId: webhook.organizationId,
      workspaceId: webhook.workspaceId,
      webhookId: webhook.id,
      providerId: provider?.id ?? null,
      ...outcome,
      idempotencyKey: post.idempotencyKey?.slice(0, 200) ?? null,
      contentType: post.contentType?.slice(0, 200) ?? null,
      rawBody,
      rawBodyBytes: post.body.length,
      ip: post.ip,
      userAgent: post.userAgent?.slice(0, 500) ?? null,
      receivedAt,
    } satisfies IntakeRequestEntity);
  }

  private replayTtl(): number {
    return this.env.SIGNATURE_TOLERANCE_SECONDS * 2 + 60;
  }
}

function emptyBodyIssue(): FieldIssue {
  return { field: 'body', rule: 'required', message: 'the request body is empty' };
}

function receiptOf(result: RecordResult): IntakeReceipt {
  switch (result.kind) {
    case 'created':
      return {
        kind: 'created',
        lead: { leadId: result.lead.id, contactId: result.lead.contactId, status: result.lead.status },
      };
    case 'duplicate':
      return {
        kind: 'duplicate',
        lead: { leadId: result.lead.id, contactId: result.lead.contactId, status: result.lead.status },
        originalLeadId: result.originalLeadId,
      };
    case 'replayed':
      return {
        kind: 'replayed',
        lead: { leadId: result.prior.leadId, contactId: result.prior.contactId, status: result.prior.status },
      };
  }
}
