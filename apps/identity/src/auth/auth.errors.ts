import type { ErrorSpec } from '@leadflow/platform/errors';
import { defineErrors } from '@leadflow/platform/errors';

export enum AuthErrorCode {
  EmailTaken = 'email_taken',
  InvalidCredentials = 'invalid_credentials',
  TooManyAttempts = 'too_many_attempts',
  InvalidRefreshToken = 'invalid_refresh_token',
  RefreshTokenReused = 'refresh_token_reused',
  UserTokenRequired = 'user_token_required',
}

export const AuthError = defineErrors('AuthError', {
  [AuthErrorCode.EmailTaken]: {
    kind: 'conflict',
    message: 'An account with this e-mail address already exists',
  },
  /** The same answer for an unknown e-mail and a wrong password. */
  [AuthErrorCode.InvalidCredentials]: {
    kind: 'unauthorized',
    message: 'The e-mail address or password is wrong',
  },
  [AuthErrorCode.TooManyAttempts]: {
    kind: 'rate_limited',
    message: 'Too many failed sign-in attempts; try again later',
    options: ({ retryAfterSeconds }: { retryAfterSeconds: number }) => ({ retryAfterSeconds }),
  },
  [AuthErrorCode.InvalidRefreshToken]: {
    kind: 'unauthorized',
    message: 'The refresh token is not valid',
  },
  [AuthErrorCode.RefreshTokenReused]: {
    kind: 'unauthorized',
    message: 'This refresh token was already used; the session has been ended. Sign in again',
  },
  [AuthErrorCode.UserTokenRequired]: {
    kind: 'forbidden',
    message: 'This needs the access token of a signed-in user',
  },
} satisfies Record<AuthErrorCode, ErrorSpec>);
export type AuthError = InstanceType<typeof AuthError>;
