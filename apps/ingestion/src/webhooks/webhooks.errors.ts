import type { ErrorSpec } from '@leadflow/platform/errors';
import { defineErrors } from '@leadflow/platform/errors';

export enum WebhookErrorCode {
  InvalidFieldMapping = 'invalid_field_mapping',
  Archived = 'webhook_archived',
  RateLimitConflict = 'rate_limit_conflict',
  InvalidPeriod = 'invalid_period',
}

interface PeriodRefusal {
  field: 'from' | 'to';
  rule: 'isIso8601' | 'range';
  message: string;
}

export const WebhookError = defineErrors('WebhookError', {
  /** Thrown with the mapping's `fieldErrors`. */
  [WebhookErrorCode.InvalidFieldMapping]: { kind: 'validation', message: 'The field mapping is not valid' },
  [WebhookErrorCode.Archived]: {
    kind: 'invalid_state',
    message: ({ id }: { id: string }) => `webhook ${id} is archived and cannot be changed`,
  },
  [WebhookErrorCode.RateLimitConflict]: {
    kind: 'validation',
    message: 'give either rateLimitPerMinute or rateLimit/rateWindowSeconds, not both',
    fieldError: { field: 'rateLimitPerMinute', rule: 'exclusive' },
  },
  /** A request-log period bound that is not an instant (e.g. an ISO week date), or from ≥ to. */
  [WebhookErrorCode.InvalidPeriod]: {
    kind: 'validation',
    message: ({ message }: PeriodRefusal) => message,
    options: ({ field, rule, message }: PeriodRefusal) => ({ fieldErrors: [{ field, rule, message }] }),
  },
} satisfies Record<WebhookErrorCode, ErrorSpec>);
export type WebhookError = InstanceType<typeof WebhookError>;
