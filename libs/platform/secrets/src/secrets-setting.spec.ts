import { loadConfig } from '@leadflow/platform/config';
import { IsOptional, IsString } from 'class-validator';
import { DEV_SECRETS_ENCRYPTION_KEY, IsSecretsEncryptionKey } from './secrets-setting';

class SealingEnv {
  @IsOptional()
  @IsString()
  NODE_ENV = 'development';

  @IsSecretsEncryptionKey()
  SECRETS_ENCRYPTION_KEY = DEV_SECRETS_ENCRYPTION_KEY;
}

const devMaterial = DEV_SECRETS_ENCRYPTION_KEY.split(':')[1];
const realKey = `prod:${Buffer.alloc(32, 7).toString('base64')}`;

describe('SECRETS_ENCRYPTION_KEY', () => {
  it('takes the development key outside production', () => {
    expect(loadConfig(SealingEnv, {}).SECRETS_ENCRYPTION_KEY).toBe(DEV_SECRETS_ENCRYPTION_KEY);
  });

  it.each([
    ['as shipped', DEV_SECRETS_ENCRYPTION_KEY],
    ['under another id', `prod:${devMaterial}`],
    ['as a bare key', devMaterial],
    ['as base64 without padding', `prod:${devMaterial.replace(/=+$/, '')}`],
    ['behind a real key, still able to open', `${realKey},old:${devMaterial}`],
  ])('refuses the development key material in production %s', (_how, setting) => {
    expect(() => loadConfig(SealingEnv, { NODE_ENV: 'production', SECRETS_ENCRYPTION_KEY: setting })).toThrow(
      /SECRETS_ENCRYPTION_KEY must not use the development key material/,
    );
  });

  it('takes a real key in production and never prints a rejected key', () => {
    expect(
      loadConfig(SealingEnv, { NODE_ENV: 'production', SECRETS_ENCRYPTION_KEY: realKey })
        .SECRETS_ENCRYPTION_KEY,
    ).toBe(realKey);
    const broken = `prod:${Buffer.alloc(31, 9).toString('base64')}`;
    let message = '';
    try {
      loadConfig(SealingEnv, { NODE_ENV: 'production', SECRETS_ENCRYPTION_KEY: broken });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('SECRETS_ENCRYPTION_KEY');
    expect(message).not.toContain(broken.split(':')[1]);
    expect(message).toContain(`a value of ${broken.length} characters, not shown`);
  });
});
