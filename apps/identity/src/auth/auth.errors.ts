import { DomainError } from '@leadflow/platform/errors';

export enum AuthErrorCode {
  EmailTaken = 'email_taken',
  InvalidCredentials = 'invalid_credentials',
  TooManyAttempts = 'too_many_attempts',
  InvalidRefreshToken = 'invalid_refresh_token',
  RefreshTokenReused = 'refresh_token_reused',
  UserTokenRequired = 'user_token_required',
}

export class EmailTakenError extends DomainError {
  constructor() {
    super('conflict', AuthErrorCode.EmailTaken, 'An account with this e-mail address already exists');
  }
}

/** The same answer for an unknown e-mail and a wrong password. */
export class InvalidCredentialsError extends DomainError {
  constructor() {
    super('unauthorized', AuthErrorCode.InvalidCredentials, 'The e-mail address or password is wrong');
  }
}

export class TooManyAttemptsError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super(
      'rate_limited',
      AuthErrorCode.TooManyAttempts,
      'Too many failed sign-in attempts; try again later',
      {
        retryAfterSeconds,
      },
    );
  }
}

export class InvalidRefreshTokenError extends DomainError {
  constructor() {
    super('unauthorized', AuthErrorCode.InvalidRefreshToken, 'The refresh token is not valid');
  }
}

export class RefreshTokenReusedError extends DomainError {
  constructor() {
    super(
      'unauthorized',
      AuthErrorCode.RefreshTokenReused,
      'This refresh token was already used; the session has been ended. Sign in again',
    );
  }
}

export class UserTokenRequiredError extends DomainError {
  constructor() {
    super('forbidden', AuthErrorCode.UserTokenRequired, 'This needs the access token of a signed-in user');
  }
}
