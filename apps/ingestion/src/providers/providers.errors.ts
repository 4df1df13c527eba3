import { DomainError } from '@leadflow/platform/errors';

export enum ProviderErrorCode {
  UnknownWebhooks = 'unknown_webhooks',
  InvalidUsageRange = 'invalid_usage_range',
}

export class UnknownWebhooksError extends DomainError {
  constructor(ids: string[]) {
    const message = `not webhooks of this organization: ${ids.join(', ')}`;
    super('validation', ProviderErrorCode.UnknownWebhooks, message, {
      fieldErrors: [{ field: 'allowedWebhookIds', rule: 'webhook_exists', message }],
    });
  }
}

export class InvalidUsageRangeError extends DomainError {
  constructor() {
    const message = 'from must be before to, and the range at most 31 days';
    super('validation', ProviderErrorCode.InvalidUsageRange, message, {
      fieldErrors: [{ field: 'from', rule: 'range', message }],
    });
  }
}
