import { IsInt, Max, Min } from 'class-validator';
import { ConfigError, MessagingServiceEnv, loadConfig } from './index';

class TestEnv extends MessagingServiceEnv {
  @IsInt()
  @Min(1)
  @Max(65535)
  TEST_PORT = 3999;
}

describe('loadConfig', () => {
  it('applies documented defaults when nothing is set', () => {
    const config = loadConfig(TestEnv, {});
    expect(config.TEST_PORT).toBe(3999);
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/leadflow');
    expect(config.KAFKA_BROKERS).toBe('127.0.0.1:9092');
  });

  it('converts numbers from strings and treats empty as unset', () => {
    const config = loadConfig(TestEnv, { TEST_PORT: '4100', KAFKA_TOPIC_PREFIX: '' });
    expect(config.TEST_PORT).toBe(4100);
    expect(config.KAFKA_TOPIC_PREFIX).toBe('');
  });

  it('names every bad variable and its rule', () => {
    let error: unknown;
    try {
      loadConfig(TestEnv, { TEST_PORT: '70000', DATABASE_URL: 'mysql://x', KAFKA_BROKERS: 'nohost' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('TEST_PORT');
    expect(message).toContain('DATABASE_URL must be a postgres:// URL');
    expect(message).toContain('KAFKA_BROKERS');
    expect((error as ConfigError).problems).toHaveLength(3);
  });

  it('never repeats a secret setting or a password inside a URL in its message', () => {
    class SecretEnv extends TestEnv {
      @IsInt()
      OPERATOR_TOKEN_LENGTH_ONLY = 0;
    }
    let message = '';
    try {
      loadConfig(SecretEnv, {
        DATABASE_URL: 'mysql://leadflow:hunter2-very-secret@db:3306/x',
        OPERATOR_TOKEN_LENGTH_ONLY: 'op-token-value-42',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(
      'DATABASE_URL must be a postgres:// URL (got "mysql://leadflow:***@db:3306/x")',
    );
    expect(message).not.toContain('hunter2');
    expect(message).toContain('OPERATOR_TOKEN_LENGTH_ONLY');
    expect(message).not.toContain('op-token-value-42');
  });
});
