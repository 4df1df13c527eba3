import { DomainError } from '@leadflow/platform/errors';

export enum MemberErrorCode {
  LastOwner = 'last_owner',
  OwnerRequired = 'owner_required',
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
