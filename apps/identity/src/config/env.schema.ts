import { MessagingServiceEnv } from '@leadflow/platform/config';
import { SecretBox } from '@leadflow/platform/secrets';
import type { ValidationArguments, ValidatorConstraintInterface } from 'class-validator';
import { IsIn, IsInt, IsString, Max, Min, Validate, ValidatorConstraint } from 'class-validator';

/**
 * Development-only key for SecretBox (sealing signing keys at rest). Public in the repository, so
 * it protects nothing: identity refuses to start with it when NODE_ENV=production.
 */
export const DEV_SECRETS_ENCRYPTION_KEY = 'dev:ZGV2LW9ubHktbGVhZGZsb3ctaWRlbnRpdHkta2V5MDE=';

@ValidatorConstraint({ name: 'secretsEncryptionKey' })
class SecretsEncryptionKeyRule implements ValidatorConstraintInterface {
  private problem = '';

  validate(value: unknown, args: ValidationArguments): boolean {
    const env = args.object as IdentityEnv;
    if (typeof value !== 'string') return this.fail('must be a string');
    try {
      SecretBox.fromSetting(value);
    } catch (error) {
      return this.fail(`is not a valid key setting (${(error as Error).message})`);
    }
    if (
      env.NODE_ENV === 'production' &&
      value.split(',').some((p) => DEV_SECRETS_ENCRYPTION_KEY === p.trim())
    ) {
      return this.fail('must not be the development key when NODE_ENV=production');
    }
    return true;
  }

  defaultMessage(): string {
    return `SECRETS_ENCRYPTION_KEY ${this.problem}; format: id1:base64(32 bytes)[,id2:...]`;
  }

  private fail(problem: string): false {
    this.problem = problem;
    return false;
  }
}

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
  @Validate(SecretsEncryptionKeyRule)
  SECRETS_ENCRYPTION_KEY = DEV_SECRETS_ENCRYPTION_KEY;

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
}
