import { DomainError } from '@leadflow/platform/errors';

export enum UsageErrorCode {
  UnknownOrganization = 'usage_unknown_organization',
}

/** A usage event names an organization identity does not have: dead-lettered, never retried. */
export class UnknownOrganizationError extends DomainError {
  constructor(organizationId: string) {
    super(
      'not_found',
      UsageErrorCode.UnknownOrganization,
      `No organization ${organizationId} to count usage for`,
      {
        details: { organizationId },
      },
    );
  }
}
