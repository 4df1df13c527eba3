import type { ErrorSpec } from '@leadflow/platform/errors';
import { defineErrors } from '@leadflow/platform/errors';

export enum ProviderErrorCode {
  UnknownWebhooks = 'unknown_webhooks',
  InvalidUsageRange = 'invalid_usage_range',
  WebhooksOutsideWorkspaces = 'webhooks_outside_provider_workspaces',
  OrganizationWideProvider = 'organization_wide_provider',
}

export const ProviderError = defineErrors('ProviderError', {
  [ProviderErrorCode.WebhooksOutsideWorkspaces]: {
    kind: 'validation',
    message: ({ ids }: { ids: string[] }) => `not webhooks of the provider's workspaces: ${ids.join(', ')}`,
    fieldError: { field: 'allowedWebhookIds', rule: 'within_provider_workspaces' },
  },
  /** A workspace-limited caller asked for (or would keep) a provider of the whole organization. */
  [ProviderErrorCode.OrganizationWideProvider]: {
    kind: 'validation',
    message:
      'only a member with access to every workspace may make a provider organization-wide; list the workspaces it serves',
    fieldError: { field: 'workspaceIds', rule: 'organization_wide_access' },
  },
  [ProviderErrorCode.UnknownWebhooks]: {
    kind: 'validation',
    message: ({ ids }: { ids: string[] }) => `not webhooks of this organization: ${ids.join(', ')}`,
    fieldError: { field: 'allowedWebhookIds', rule: 'webhook_exists' },
  },
  [ProviderErrorCode.InvalidUsageRange]: {
    kind: 'validation',
    message: 'from must be before to, and the range at most 31 days',
    fieldError: { field: 'from', rule: 'range' },
  },
} satisfies Record<ProviderErrorCode, ErrorSpec>);
export type ProviderError = InstanceType<typeof ProviderError>;
