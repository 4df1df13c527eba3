import type { ErrorSpec } from '@leadflow/platform/errors';
import { defineErrors } from '@leadflow/platform/errors';

/** Used, revoked and expired invitations answer 410 (`gone`); the codes are stable either way. */
export enum InvitationErrorCode {
  InvitationNotFound = 'invitation_not_found',
  InvitationUsed = 'invitation_used',
  InvitationRevoked = 'invitation_revoked',
  InvitationExpired = 'invitation_expired',
  AlreadyMember = 'already_member',
}

export const InvitationError = defineErrors('InvitationError', {
  [InvitationErrorCode.InvitationNotFound]: { kind: 'not_found', message: 'No invitation has this token' },
  [InvitationErrorCode.InvitationUsed]: { kind: 'gone', message: 'This invitation was already accepted' },
  [InvitationErrorCode.InvitationRevoked]: { kind: 'gone', message: 'This invitation was revoked' },
  [InvitationErrorCode.InvitationExpired]: { kind: 'gone', message: 'This invitation has expired' },
  [InvitationErrorCode.AlreadyMember]: {
    kind: 'conflict',
    message: 'This person is already a member of the organization',
  },
} satisfies Record<InvitationErrorCode, ErrorSpec>);
export type InvitationError = InstanceType<typeof InvitationError>;
