import { ConfigError, loadConfig } from '@leadflow/platform/config';
import { GatewayEnv, upstreamUrls } from './env.schema';

describe('GatewayEnv', () => {
  it('defaults to 127.0.0.1:3000 and the services on 3001-3007', () => {
    const env = loadConfig(GatewayEnv, {});
    expect(env.GATEWAY_PORT).toBe(3000);
    expect(env.HTTP_HOST).toBe('127.0.0.1');
    expect(env.UPSTREAM_TIMEOUT_MS).toBe(30_000);
    expect(env.READINESS_TIMEOUT_MS).toBe(3000);
    expect(upstreamUrls(env)).toEqual({
      identity: 'http://127.0.0.1:3001',
      ingestion: 'http://127.0.0.1:3002',
      enrichment: 'http://127.0.0.1:3003',
      campaigns: 'http://127.0.0.1:3004',
      voice: 'http://127.0.0.1:3005',
      routing: 'http://127.0.0.1:3006',
      analytics: 'http://127.0.0.1:3007',
    });
  });

  it('reads upstream URLs from <SERVICE>_URL and drops a trailing slash', () => {
    const env = loadConfig(GatewayEnv, { VOICE_URL: 'http://voice:3005/', GATEWAY_PORT: '8080' });
    expect(upstreamUrls(env).voice).toBe('http://voice:3005');
    expect(env.GATEWAY_PORT).toBe(8080);
  });

  it('refuses a URL with a path or another scheme, naming the variable', () => {
    let error: unknown;
    try {
      loadConfig(GatewayEnv, {
        IDENTITY_URL: 'http://identity:3001/api',
        ROUTING_URL: 'ftp://routing',
        UPSTREAM_TIMEOUT_MS: '5',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('IDENTITY_URL must be an http(s)://host:port URL without a path');
    expect(problems).toContain('ROUTING_URL');
    expect(problems).toContain('UPSTREAM_TIMEOUT_MS');
  });
});
