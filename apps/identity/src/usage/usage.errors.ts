import type { ErrorSpec } from '@leadflow/platform/errors';
import { defineErrors } from '@leadflow/platform/errors';

export enum UsageErrorCode {
  UnknownOrganization = 'usage_unknown_organization',
}

export const UsageError = defineErrors('UsageError', {
  /** A usage event names an organization identity does not have: dead-lettered, never retried. */
  [UsageErrorCode.UnknownOrganization]: {
    kind: 'not_found',
    message: ({ organizationId }: { organizationId: string }) =>
      `No organization ${organizationId} to count usage for`,
    options: ({ organizationId }: { organizationId: string }) => ({ details: { organizationId } }),
  },
} satisfies Record<UsageErrorCode, ErrorSpec>);
export type UsageError = InstanceType<typeof UsageError>;
