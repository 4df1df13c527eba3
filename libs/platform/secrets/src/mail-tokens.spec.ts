import { loadConfig } from '@leadflow/platform/config';
import { IsOptional, IsString } from 'class-validator';
import { MailTokens } from './mail-tokens';
import { DEV_MAIL_TOKENS_KEY, DEV_SECRETS_ENCRYPTION_KEY, IsSecretsEncryptionKey } from './secrets-setting';

const keyOf = (id: string, fill: number): string => `${id}:${Buffer.alloc(32, fill).toString('base64')}`;
const subject = '0190b7d2-8c1e-7000-8000-000000000001';

describe('MailTokens', () => {
  const tokens = MailTokens.fromSetting(keyOf('m1', 3));

  it('opens what it sealed, and the sealed form does not contain the token', () => {
    const sealed = tokens.seal('invitation', subject, 'plain-token-value');
    expect(sealed).not.toContain('plain-token-value');
    expect(sealed).not.toContain(Buffer.from('plain-token-value').toString('base64url'));
    expect(tokens.open('invitation', subject, sealed)).toBe('plain-token-value');
  });

  it('refuses another key, another purpose and another subject', () => {
    const sealed = tokens.seal('invitation', subject, 'plain-token-value');
    expect(() => MailTokens.fromSetting(keyOf('m1', 4)).open('invitation', subject, sealed)).toThrow(
      /could not be decrypted/,
    );
    expect(() => tokens.open('password_reset', subject, sealed)).toThrow(/could not be decrypted/);
    expect(() => tokens.open('invitation', subject.replace(/1$/, '2'), sealed)).toThrow(
      /could not be decrypted/,
    );
  });

  it('opens tokens sealed under an earlier key after rotation', () => {
    const sealed = tokens.seal('password_reset', subject, 'reset-token');
    const rotated = MailTokens.fromSetting(`${keyOf('m2', 5)},${keyOf('m1', 3)}`);
    expect(rotated.open('password_reset', subject, sealed)).toBe('reset-token');
  });
});

class MailEnv {
  @IsOptional()
  @IsString()
  NODE_ENV = 'development';

  @IsSecretsEncryptionKey(DEV_MAIL_TOKENS_KEY)
  MAIL_TOKENS_KEY = DEV_MAIL_TOKENS_KEY;
}

describe('MAIL_TOKENS_KEY', () => {
  it('refuses its own development key material in production, under any id', () => {
    const material = DEV_MAIL_TOKENS_KEY.split(':')[1];
    expect(() =>
      loadConfig(MailEnv, { NODE_ENV: 'production', MAIL_TOKENS_KEY: `prod:${material}` }),
    ).toThrow(/MAIL_TOKENS_KEY must not use the development key material/);
  });

  it('is a different key from the secrets key, and takes a real key in production', () => {
    expect(DEV_MAIL_TOKENS_KEY.split(':')[1]).not.toBe(DEV_SECRETS_ENCRYPTION_KEY.split(':')[1]);
    expect(
      loadConfig(MailEnv, { NODE_ENV: 'production', MAIL_TOKENS_KEY: keyOf('p', 1) }).MAIL_TOKENS_KEY,
    ).toBe(keyOf('p', 1));
  });
});
