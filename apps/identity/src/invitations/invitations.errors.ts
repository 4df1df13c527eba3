import { DomainError } from '@leadflow/platform/errors';

/**
 * Used, revoked and expired invitations answer 409 (`invalid_state`): the platform's error kinds
 * have no 410 Gone yet; the codes are stable either way.
 */
export enum InvitationErrorCode {
  InvitationNotFound = 'invitation_not_found',
  InvitationUsed = 'invitation_used',
  InvitationRevoked = 'invitation_revoked',
  InvitationExpired = 'invitation_expired',
  AlreadyMember = 'already_member',
}

export class InvitationNotFoundError extends DomainError {
  constructor() {
    super('not_found', InvitationErrorCode.InvitationNotFound, 'No invitation has this token');
  }
}

export class InvitationUsedError extends DomainError {
  constructor() {
    super('gone', InvitationErrorCode.InvitationUsed, 'This invitation was already accepted');
  }
}

export class InvitationRevokedError extends DomainError {
  constructor() {
    super('gone', InvitationErrorCode.InvitationRevoked, 'This invitation was revoked');
  }
}

export class InvitationExpiredError extends DomainError {
  constructor() {
    super('gone', InvitationErrorCode.InvitationExpired, 'This invitation has expired');
  }
}

export class AlreadyMemberError extends DomainError {
  constructor() {
    super(
      'conflict',
      InvitationErrorCode.AlreadyMember,
      'This person is already a member of the organization',
    );
  }
}
