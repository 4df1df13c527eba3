import { ConfigError, loadConfig } from '@leadflow/platform/config';
import { randomBytes } from 'node:crypto';
import { DEV_SECRETS_ENCRYPTION_KEY } from '@leadflow/platform/secrets';
import { IdentityEnv } from './env.schema';

describe('identity settings', () => {
  it('defaults to the development key and 15-minute access tokens', () => {
    const env = loadConfig(IdentityEnv, {});
    expect(env.SECRETS_ENCRYPTION_KEY).toBe(DEV_SECRETS_ENCRYPTION_KEY);
    expect(env).toMatchObject({
      ACCESS_TOKEN_TTL_SECONDS: 900,
      REFRESH_TOKEN_TTL_DAYS: 30,
      API_KEY_TOKEN_TTL_SECONDS: 60,
      INVITATION_TTL_HOURS: 168,
      PASSWORD_RESET_TTL_MINUTES: 60,
      LOGIN_ATTEMPT_PRUNE_INTERVAL_SECONDS: 300,
    });
  });

  it('refuses to start in production with the development key', () => {
    expect(() => loadConfig(IdentityEnv, { NODE_ENV: 'production' })).toThrow(
      /SECRETS_ENCRYPTION_KEY.*development key/,
    );
    const key = `prod1:${randomBytes(32).toString('base64')}`;
    const mailKey = `mail1:${randomBytes(32).toString('base64')}`;
    expect(() => loadConfig(IdentityEnv, { NODE_ENV: 'production', SECRETS_ENCRYPTION_KEY: key })).toThrow(
      /MAIL_TOKENS_KEY.*development key/,
    );
    expect(
      loadConfig(IdentityEnv, {
        NODE_ENV: 'production',
        SECRETS_ENCRYPTION_KEY: key,
        MAIL_TOKENS_KEY: mailKey,
      }),
    ).toMatchObject({ SECRETS_ENCRYPTION_KEY: key, MAIL_TOKENS_KEY: mailKey });
  });

  it('refuses a malformed key and access tokens longer than 15 minutes', () => {
    expect(() => loadConfig(IdentityEnv, { SECRETS_ENCRYPTION_KEY: 'k1:c2hvcnQ=' })).toThrow(ConfigError);
    expect(() => loadConfig(IdentityEnv, { ACCESS_TOKEN_TTL_SECONDS: '901' })).toThrow(
      /ACCESS_TOKEN_TTL_SECONDS/,
    );
  });
});
