import { MessagingServiceEnv } from '@leadflow/platform/config';
import {
  DEV_MAIL_TOKENS_KEY,
  DEV_SECRETS_ENCRYPTION_KEY,
  IsSecretsEncryptionKey,
} from '@leadflow/platform/secrets';
import { IsIn, IsInt, IsString, Max, Min } from 'class-validator';

/** Settings of the identity service (shared ones are documented on MessagingServiceEnv). */
export class IdentityEnv extends MessagingServiceEnv {
  @IsInt()
  @Min(1)
  @Max(65535)
  IDENTITY_PORT = 3001;

  /** `production` forbids development defaults (the dev encryption key). */
  @IsIn(['development', 'test', 'production'])
  NODE_ENV = 'development';

  /**
   * Keys sealing secrets at rest (private signing keys): `id1:base64key1,id2:base64key2`, the first
   * encrypts, all decrypt. Defaults to a documented development-only key.
   */
  @IsString()
  @IsSecretsEncryptionKey()
  SECRETS_ENCRYPTION_KEY = DEV_SECRETS_ENCRYPTION_KEY;

  /**
   * Keys sealing the invitation and password-reset tokens identity publishes (`sealedToken` in
   * user.invited and user.password_reset_requested), same format as above. Held by identity and
   * the mailing service only, never the same key as SECRETS_ENCRYPTION_KEY. Defaults to a
   * documented development-only key, refused in production.
   */
  @IsString()
  @IsSecretsEncryptionKey(DEV_MAIL_TOKENS_KEY)
  MAIL_TOKENS_KEY = DEV_MAIL_TOKENS_KEY;

  /** Lifetime of user access tokens (at most 15 minutes). */
  @IsInt()
  @Min(30)
  @Max(900)
  ACCESS_TOKEN_TTL_SECONDS = 900;

  /** Lifetime of a refresh token; each refresh issues a new one. */
  @IsInt()
  @Min(1)
  @Max(365)
  REFRESH_TOKEN_TTL_DAYS = 30;

  /** Lifetime of the access token an API key is exchanged for. */
  @IsInt()
  @Min(10)
  @Max(900)
  API_KEY_TOKEN_TTL_SECONDS = 60;

  /** How long an invitation can be accepted, in hours (default 7 days). */
  @IsInt()
  @Min(1)
  @Max(24 * 30)
  INVITATION_TTL_HOURS = 168;

  /** How long a password-reset token stays valid, in minutes. */
  @IsInt()
  @Min(5)
  @Max(24 * 60)
  PASSWORD_RESET_TTL_MINUTES = 60;

  /**
   * How often login attempts older than twice the throttle window (30 minutes) are deleted, in
   * seconds; each run deletes in bounded batches.
   */
  @IsInt()
  @Min(1)
  @Max(24 * 3600)
  LOGIN_ATTEMPT_PRUNE_INTERVAL_SECONDS = 300;
}
