import { DomainError } from '@leadflow/platform/errors';

export enum MemberErrorCode {
  LastOwner = 'last_owner',
  OwnerRequired = 'owner_required',
  OwnMembership = 'own_membership',
  RoleAboveOwn = 'role_above_own',
  WorkspacesNotHeld = 'workspaces_not_held',
}

export class LastOwnerError extends DomainError {
  constructor() {
    super('conflict', MemberErrorCode.LastOwner, 'An organization keeps at least one owner');
  }
}

export class OwnerRequiredError extends DomainError {
  constructor() {
    super(
      'forbidden',
      MemberErrorCode.OwnerRequired,
      'Only an owner can grant the owner role or change an owner',
    );
  }
}

export class OwnMembershipError extends DomainError {
  constructor() {
    super(
      'forbidden',
      MemberErrorCode.OwnMembership,
      'Nobody changes their own role or workspaces: another admin or owner must',
    );
  }
}

export class RoleAboveOwnError extends DomainError {
  constructor() {
    super(
      'forbidden',
      MemberErrorCode.RoleAboveOwn,
      'You cannot grant, or change a member holding, a role above your own',
    );
  }
}

export class WorkspacesNotHeldError extends DomainError {
  constructor() {
    super(
      'forbidden',
      MemberErrorCode.WorkspacesNotHeld,
      'A principal limited to some workspaces can only grant (and change members of) a subset of those workspaces',
    );
  }
}
