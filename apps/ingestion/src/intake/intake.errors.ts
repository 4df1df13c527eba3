import { DomainError } from '@leadflow/platform/errors';

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
  InvalidIdempotencyKey = 'invalid_idempotency_key',
  IntakeOverloaded = 'intake_overloaded',
  IntakeTimeout = 'intake_timeout',
  ReplayProtectionUnavailable = 'replay_protection_unavailable',
}

const AUTH_HEADERS = { 'WWW-Authenticate': 'LeadFlow-Signature, X-Provider-Key' };

export class IntakeUnauthorizedError extends DomainError {
  constructor(code: IntakeErrorCode, message: string) {
    super('unauthorized', code, message, { headers: AUTH_HEADERS });
  }
}

export class IntakeForbiddenError extends DomainError {
  constructor(code: IntakeErrorCode, message: string) {
    super('forbidden', code, message);
  }
}

export class WebhookPausedError extends DomainError {
  constructor() {
    super(
      'locked',
      IntakeErrorCode.WebhookPaused,
      'This webhook is paused and takes no leads; nothing was stored',
    );
  }
}

export class WebhookGoneError extends DomainError {
  constructor() {
    super('gone', IntakeErrorCode.WebhookArchived, 'This webhook was archived and takes no more leads');
  }
}

export class IntakeLimitError extends DomainError {
  constructor(
    code: IntakeErrorCode,
    message: string,
    headers: Record<string, string>,
    retryAfterSeconds: number,
  ) {
    super('rate_limited', code, message, { headers, retryAfterSeconds });
  }
}

export class UnsupportedLeadMediaTypeError extends DomainError {
  constructor(contentType: string) {
    super(
      'unsupported_media_type',
      IntakeErrorCode.UnsupportedMediaType,
      `leads are accepted as application/json or application/x-www-form-urlencoded, not ${contentType || 'an untyped body'}`,
    );
  }
}

export class MalformedLeadBodyError extends DomainError {
  constructor(reason: string) {
    super('bad_request', IntakeErrorCode.MalformedBody, `The request body could not be parsed: ${reason}`);
  }
}

export class InvalidLeadError extends DomainError {
  constructor(fieldErrors: { field: string; rule: string; message: string }[]) {
    super('validation', IntakeErrorCode.InvalidLead, 'The lead was rejected; nothing was stored', {
      fieldErrors,
    });
  }
}

/** The write queue is full: the database is not keeping up. Nothing was stored; retry shortly. */
export class IntakeOverloadedError extends DomainError {
  constructor() {
    super(
      'unavailable',
      IntakeErrorCode.IntakeOverloaded,
      'Intake is at capacity; nothing was stored, send the lead again shortly',
      { retryAfterSeconds: 2 },
    );
  }
}

/** The post waited past its deadline for the database. Nothing was stored; retry shortly. */
export class IntakeTimeoutError extends DomainError {
  constructor(deadlineMs: number) {
    super(
      'unavailable',
      IntakeErrorCode.IntakeTimeout,
      `The lead could not be stored within ${deadlineMs} ms; nothing was stored, send it again shortly`,
      { retryAfterSeconds: 5 },
    );
  }
}

/**
 * A signed post whose signature could not be checked for replay (Redis did not answer): refused
 * rather than taken unchecked, since a captured post could otherwise be replayed. Nothing was
 * stored; the vendor retries the same signed post once Redis is back.
 */
export class ReplayProtectionUnavailableError extends DomainError {
  constructor() {
    super(
      'unavailable',
      IntakeErrorCode.ReplayProtectionUnavailable,
      'The signature could not be checked for replay; nothing was stored, send the post again shortly',
      { retryAfterSeconds: 5 },
    );
  }
}
