import { DomainError } from '@leadflow/platform/errors';

/** A used or expired token answers 409 (`invalid_state`): the platform has no 410 Gone kind yet. */
export enum PasswordErrorCode {
  ResetTokenInvalid = 'reset_token_invalid',
  ResetTokenUsed = 'reset_token_used',
  ResetTokenExpired = 'reset_token_expired',
}

export class ResetTokenInvalidError extends DomainError {
  constructor() {
    super('not_found', PasswordErrorCode.ResetTokenInvalid, 'No password reset has this token');
  }
}

export class ResetTokenUsedError extends DomainError {
  constructor() {
    super('gone', PasswordErrorCode.ResetTokenUsed, 'This password-reset link was already used');
  }
}

export class ResetTokenExpiredError extends DomainError {
  constructor() {
    super('gone', PasswordErrorCode.ResetTokenExpired, 'This password-reset link has expired');
  }
}
