import type { DomainErrorOptions, ErrorSpec } from '@leadflow/platform/errors';
import { defineErrors } from '@leadflow/platform/errors';

export enum IntakeErrorCode {
  WebhookPaused = 'webhook_paused',
  WebhookArchived = 'webhook_archived',
  CredentialsRequired = 'credentials_required',
  InvalidProviderCredentials = 'invalid_provider_credentials',
  ProviderInactive = 'provider_inactive',
  ProviderNotAllowed = 'provider_not_allowed',
  SignatureRequired = 'signature_required',
  SignatureMalformed = 'signature_malformed',
  SignatureExpired = 'signature_expired',
  SignatureFuture = 'signature_future',
  SignatureMismatch = 'signature_mismatch',
  SignatureReplayed = 'signature_replayed',
  RateLimited = 'rate_limited',
  ProviderRateLimited = 'provider_rate_limited',
  QuotaExceeded = 'quota_exceeded',
  UnsupportedMediaType = 'unsupported_media_type',
  MalformedBody = 'malformed_body',
  InvalidLead = 'invalid_lead',
  IntakeOverloaded = 'intake_overloaded',
  IntakeTimeout = 'intake_timeout',
  ReplayProtectionUnavailable = 'replay_protection_unavailable',
}

const AUTH_HEADERS = { 'WWW-Authenticate': 'LeadFlow-Signature, X-Provider-Key' };
const unauthorized = (message: string) =>
  ({ kind: 'unauthorized', message, options: { headers: AUTH_HEADERS } }) as const;

/** A limit's answer: its `RateLimit-*` (or Retry-After) headers and when to try again. */
interface LimitAnswer {
  headers: Record<string, string>;
  retryAfterSeconds: number;
}
function limited<P extends LimitAnswer>(message: string | ((params: P) => string)) {
  return {
    kind: 'rate_limited',
    message,
    options: ({ headers, retryAfterSeconds }: P): DomainErrorOptions => ({ headers, retryAfterSeconds }),
  } as const;
}

export const IntakeError = defineErrors('IntakeError', {
  [IntakeErrorCode.WebhookPaused]: {
    kind: 'locked',
    message: 'This webhook is paused and takes no leads; nothing was stored',
  },
  [IntakeErrorCode.WebhookArchived]: {
    kind: 'gone',
    message: 'This webhook was archived and takes no more leads',
  },
  [IntakeErrorCode.CredentialsRequired]: unauthorized(
    'Authenticate with X-Provider-Id and X-Provider-Key, or sign the body with LeadFlow-Signature',
  ),
  [IntakeErrorCode.InvalidProviderCredentials]: unauthorized(
    'X-Provider-Id and X-Provider-Key do not match a provider of this webhook',
  ),
  [IntakeErrorCode.ProviderInactive]: { kind: 'forbidden', message: 'This provider is deactivated' },
  [IntakeErrorCode.ProviderNotAllowed]: {
    kind: 'forbidden',
    message: 'This provider is not allowed to post to this webhook',
  },
  [IntakeErrorCode.SignatureRequired]: unauthorized('This webhook requires a LeadFlow-Signature header'),
  [IntakeErrorCode.SignatureMalformed]: unauthorized('LeadFlow-Signature must be t=<unix seconds>,v1=<hex>'),
  [IntakeErrorCode.SignatureExpired]: unauthorized('The signature timestamp is too old'),
  [IntakeErrorCode.SignatureFuture]: unauthorized('The signature timestamp is in the future'),
  [IntakeErrorCode.SignatureMismatch]: unauthorized('The signature does not match the body'),
  [IntakeErrorCode.SignatureReplayed]: unauthorized(
    'This signature was already used; sign every post with a fresh timestamp',
  ),
  [IntakeErrorCode.RateLimited]: limited(
    ({ limit, windowSeconds }: LimitAnswer & { limit: number; windowSeconds: number }) =>
      `This webhook takes ${limit} requests per ${windowSeconds} s`,
  ),
  [IntakeErrorCode.ProviderRateLimited]: limited(
    ({ hourlyLimit }: LimitAnswer & { hourlyLimit: number }) =>
      `This provider may post ${hourlyLimit} requests per hour`,
  ),
  [IntakeErrorCode.QuotaExceeded]: limited(
    "The organization's monthly lead quota is used up; upgrade the plan or wait for the next month",
  ),
  [IntakeErrorCode.UnsupportedMediaType]: {
    kind: 'unsupported_media_type',
    message: ({ contentType }: { contentType: string }) =>
      `leads are accepted as application/json or application/x-www-form-urlencoded, not ${contentType || 'an untyped body'}`,
  },
  [IntakeErrorCode.MalformedBody]: {
    kind: 'bad_request',
    message: ({ reason }: { reason: string }) => `The request body could not be parsed: ${reason}`,
  },
  /** Thrown with the lead's `fieldErrors`. */
  [IntakeErrorCode.InvalidLead]: {
    kind: 'validation',
    message: 'The lead was rejected; nothing was stored',
  },
  /** The write queue is full: the database is not keeping up. Nothing was stored; retry shortly. */
  [IntakeErrorCode.IntakeOverloaded]: {
    kind: 'unavailable',
    message: 'Intake is at capacity; nothing was stored, send the lead again shortly',
    options: { retryAfterSeconds: 2 },
  },
  /** The post waited past its deadline for the database. Nothing was stored; retry shortly. */
  [IntakeErrorCode.IntakeTimeout]: {
    kind: 'unavailable',
    message: ({ deadlineMs }: { deadlineMs: number }) =>
      `The lead could not be stored within ${deadlineMs} ms; nothing was stored, send it again shortly`,
    options: { retryAfterSeconds: 5 },
  },
  /**
   * A signed post whose signature could not be checked for replay (Redis did not answer): refused
   * rather than taken unchecked, since a captured post could otherwise be replayed. Nothing was
   * stored; the vendor retries the same signed post once Redis is back.
   */
  [IntakeErrorCode.ReplayProtectionUnavailable]: {
    kind: 'unavailable',
    message: 'The signature could not be checked for replay; nothing was stored, send the post again shortly',
    options: { retryAfterSeconds: 5 },
  },
} satisfies Record<IntakeErrorCode, ErrorSpec>);
export type IntakeError = InstanceType<typeof IntakeError>;
