import { DomainError } from '@leadflow/platform/errors';
import type { RateLimitDecision } from '@leadflow/platform/ratelimit';
import { rateLimitHeaders } from '@leadflow/platform/ratelimit';
import type { IntakePost, IntakeReceipt, IntakeService } from './intake.service';

/** The HTTP answer to a stored post. */
export interface IntakeAnswer {
  status: 200 | 201;
  body: {
    leadId: string;
    contactId: string;
    status: string;
    duplicate?: true;
    originalLeadId?: string;
    replayed?: true;
  };
  headers: Record<string, string>;
}

/** 201 for a new lead, 200 for a duplicate or a replay; the webhook's RateLimit-* headers either way. */
export function answerOf(receipt: IntakeReceipt, limits: RateLimitDecision): IntakeAnswer {
  const headers = rateLimitHeaders(limits);
  switch (receipt.kind) {
    case 'created':
      return { status: 201, body: { ...receipt.lead }, headers };
    case 'duplicate':
      return {
        status: 200,
        body: { ...receipt.lead, duplicate: true, originalLeadId: receipt.originalLeadId },
        headers,
      };
    case 'replayed':
      return { status: 200, body: { ...receipt.lead, duplicate: true, replayed: true }, headers };
  }
}

/**
 * A refusal of an admitted post carries the webhook's RateLimit-* headers too, unless it names
 * headers of its own.
 */
export function withRateLimitHeaders(error: unknown, limits: RateLimitDecision): unknown {
  if (!(error instanceof DomainError) || error.headers !== undefined) return error;
  return new DomainError(error.kind, error.code, error.message, {
    fieldErrors: error.fieldErrors,
    details: error.details,
    retryAfterSeconds: error.retryAfterSeconds,
    headers: rateLimitHeaders(limits),
  });
}

/**
 * A vendor post, answered: admitted (or refused), then stored (or refused), as IntakeRoute and
 * IntakeController both answer it.
 */
export async function answerIntake(intake: IntakeService, post: IntakePost): Promise<IntakeAnswer> {
  const admission = await intake.admit(post);
  try {
    return answerOf(await intake.store(admission), admission.limits);
  } catch (error) {
    throw withRateLimitHeaders(error, admission.limits);
  }
}
