import { DomainError } from '@leadflow/platform/errors';

export enum WebhookErrorCode {
  InvalidFieldMapping = 'invalid_field_mapping',
  Archived = 'webhook_archived',
  RateLimitConflict = 'rate_limit_conflict',
  InvalidPeriod = 'invalid_period',
}

export class InvalidFieldMappingError extends DomainError {
  constructor(fieldErrors: { field: string; rule: string; message: string }[]) {
    super('validation', WebhookErrorCode.InvalidFieldMapping, 'The field mapping is not valid', {
      fieldErrors,
    });
  }
}

export class WebhookArchivedError extends DomainError {
  constructor(id: string) {
    super('invalid_state', WebhookErrorCode.Archived, `webhook ${id} is archived and cannot be changed`);
  }
}

export class RateLimitConflictError extends DomainError {
  constructor() {
    const message = 'give either rateLimitPerMinute or rateLimit/rateWindowSeconds, not both';
    super('validation', WebhookErrorCode.RateLimitConflict, message, {
      fieldErrors: [{ field: 'rateLimitPerMinute', rule: 'exclusive', message }],
    });
  }
}

/** A request-log period bound that is not an instant (e.g. an ISO week date), or from ≥ to. */
export class InvalidRequestLogPeriodError extends DomainError {
  constructor(field: 'from' | 'to', rule: 'isIso8601' | 'range', message: string) {
    super('validation', WebhookErrorCode.InvalidPeriod, message, {
      fieldErrors: [{ field, rule, message }],
    });
  }
}
