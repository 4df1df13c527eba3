import { DomainError } from '@leadflow/platform/errors';

export enum ProviderErrorCode {
  UnknownWebhooks = 'unknown_webhooks',
  InvalidUsageRange = 'invalid_usage_range',
  WebhooksOutsideWorkspaces = 'webhooks_outside_provider_workspaces',
  OrganizationWideProvider = 'organization_wide_provider',
}

export class WebhooksOutsideWorkspacesError extends DomainError {
  constructor(ids: string[]) {
    const message = `not webhooks of the provider's workspaces: ${ids.join(', ')}`;
    super('validation', ProviderErrorCode.WebhooksOutsideWorkspaces, message, {
      fieldErrors: [{ field: 'allowedWebhookIds', rule: 'within_provider_workspaces', message }],
    });
  }
}

/** A workspace-limited caller asked for (or would keep) a provider of the whole organization. */
export class OrganizationWideProviderError extends DomainError {
  constructor() {
    const message =
      'only a member with access to every workspace may make a provider organization-wide; list the workspaces it serves';
    super('validation', ProviderErrorCode.OrganizationWideProvider, message, {
      fieldErrors: [{ field: 'workspaceIds', rule: 'organization_wide_access', message }],
    });
  }
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
