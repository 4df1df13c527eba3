import type { ValidationArguments, ValidatorConstraintInterface } from 'class-validator';
import { Validate, ValidatorConstraint } from 'class-validator';
import { SecretBox } from './secret-box';

/**
 * Development-only `SECRETS_ENCRYPTION_KEY`. Public in the repository, so it protects nothing:
 * services refuse to start with it when NODE_ENV=production.
 */
export const DEV_SECRETS_ENCRYPTION_KEY = 'dev:ZGV2LW9ubHktbGVhZGZsb3ctaWRlbnRpdHkta2V5MDE=';

/**
 * Development-only `MAIL_TOKENS_KEY` (seals invitation and password-reset tokens in events).
 * Public in the repository like the key above, and refused in production the same way.
 */
export const DEV_MAIL_TOKENS_KEY = 'dev:ZGV2LW9ubHktbGVhZGZsb3ctbWFpbC10b2tlbnMwMDE=';

/** The key material of a development setting, as SecretBox reads it. */
function materialOf(setting: string): Buffer {
  return Buffer.from(setting.split(':')[1], 'base64');
}

@ValidatorConstraint({ name: 'secretsEncryptionKey' })
class SecretsEncryptionKeyRule implements ValidatorConstraintInterface {
  private problem = '';

  validate(value: unknown, args: ValidationArguments): boolean {
    const env = args.object as { NODE_ENV?: string };
    if (typeof value !== 'string') return this.fail('must be a string');
    let box: SecretBox;
    try {
      box = SecretBox.fromSetting(value);
    } catch (error) {
      return this.fail(`is not a valid key setting (${(error as Error).message})`);
    }
    // The key material decides, not the text: the development key under another id, or its
    // base64 written differently, is still the public development key.
    const development = materialOf((args.constraints[0] as string | undefined) ?? DEV_SECRETS_ENCRYPTION_KEY);
    if (env.NODE_ENV === 'production' && box.holdsKeyMaterial(development)) {
      return this.fail('must not use the development key material when NODE_ENV=production');
    }
    return true;
  }

  defaultMessage(args: ValidationArguments): string {
    return `${args.property} ${this.problem}; format: id1:base64(32 bytes)[,id2:...]`;
  }

  private fail(problem: string): false {
    this.problem = problem;
    return false;
  }
}

/**
 * A SecretBox key setting (`id:base64,...`); the development key (`developmentSetting`, by
 * default SECRETS_ENCRYPTION_KEY's) is refused in production.
 */
export function IsSecretsEncryptionKey(developmentSetting = DEV_SECRETS_ENCRYPTION_KEY): PropertyDecorator {
  return Validate(SecretsEncryptionKeyRule, [developmentSetting]);
}
