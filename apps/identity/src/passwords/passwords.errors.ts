import type { ErrorSpec } from '@leadflow/platform/errors';
import { defineErrors } from '@leadflow/platform/errors';

/** A used or expired token answers 410 (`gone`). */
export enum PasswordErrorCode {
  ResetTokenInvalid = 'reset_token_invalid',
  ResetTokenUsed = 'reset_token_used',
  ResetTokenExpired = 'reset_token_expired',
}

export const PasswordError = defineErrors('PasswordError', {
  [PasswordErrorCode.ResetTokenInvalid]: { kind: 'not_found', message: 'No password reset has this token' },
  [PasswordErrorCode.ResetTokenUsed]: { kind: 'gone', message: 'This password-reset link was already used' },
  [PasswordErrorCode.ResetTokenExpired]: { kind: 'gone', message: 'This password-reset link has expired' },
} satisfies Record<PasswordErrorCode, ErrorSpec>);
export type PasswordError = InstanceType<typeof PasswordError>;
