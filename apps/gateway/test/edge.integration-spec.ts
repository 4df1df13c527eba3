import { loadConfig } from '@leadflow/platform/config';
import { freshWindow } from '@leadflow/platform/testing';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { GatewayEnv } from '../src/config/env.schema';
import { createGatewayApp } from '../src/gateway-app';
import type { UpstreamService } from '../src/routing/route-table';
import { UPSTREAM_SERVICES } from '../src/routing/route-table';
import { FakeUpstream } from './fake-upstream';
import { send } from './http-client';
import { TokenIssuer } from './token-issuer';

const LIMIT = 10;

/**
 * The gateway's edge (issue 4): tokens checked before anything reaches a service, API keys
 * exchanged at identity (revocation effective within 5 s), and per-client rate limits shared by
 * two gateway instances through the real Redis.
 */
describe('gateway edge: tokens, API keys, rate limits', () => {
  const upstreams = Object.fromEntries(UPSTREAM_SERVICES.map((s) => [s, new FakeUpstream(s)])) as Record<
    UpstreamService,
    FakeUpstream
  >;
  let issuer: TokenIssuer;
  let apps: INestApplication[] = [];
  let a: string;
  let b: string;
  let keyRevoked = false;
  let exchanges = 0;
  const apiKeyPrincipal = randomUUID();

  beforeAll(async () => {
    issuer = await TokenIssuer.create();
    await Promise.all(Object.values(upstreams).map((u) => u.start()));
    upstreams.identity.on('/test-jwks.json', (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(issuer.jwks());
    });
    upstreams.identity.on('/internal/api-keys/exchange', (req, res) => {
      exchanges++;
      if (req.headers['x-api-key'] !== 'lf_goodkey1_secret' || keyRevoked) {
        res.statusCode = 401;
        res.end('{}');
        return;
      }
      void issuer
        .token({
          typ: 'api_key',
          sub: apiKeyPrincipal,
          role: 'agent',
          scp: ['leads:read'],
          exp: Math.floor(Date.now() / 1000) + 60,
        })
        .then((accessToken) => res.end(JSON.stringify({ accessToken, expiresIn: 60 })));
    });
    const env: Record<string, string> = {
      LOG_LEVEL: 'silent',
      IDENTITY_JWKS_URL: `${upstreams.identity.url}/test-jwks.json`,
      RATE_LIMIT_KEY_PREFIX: `test:${randomUUID()}:`,
      RATE_LIMIT_PER_MINUTE: String(LIMIT),
      RATE_LIMIT_ANONYMOUS_PER_MINUTE: String(LIMIT),
    };
    for (const service of UPSTREAM_SERVICES) env[`${service.toUpperCase()}_URL`] = upstreams[service].url;
    for (let i = 0; i < 2; i++) {
      const app = await createGatewayApp(loadConfig(GatewayEnv, env));
      await app.listen(0, '127.0.0.1');
      apps.push(app);
    }
    [a, b] = apps.map((app) => `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`);
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    apps = [];
    await Promise.all(Object.values(upstreams).map((u) => u.stop()));
  });

  it('refuses a missing or invalid token before any service sees the request', async () => {
    const before = upstreams.ingestion.requests.length;
    const missing = await send(a, '/api/v1/leads');
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toContain('Bearer');
    expect(missing.json()).toMatchObject({ code: 'invalid_token' });
    const forged = await send(a, '/api/v1/leads', {
      headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' },
    });
    expect(forged.status).toBe(401);
    const expired = await send(a, '/api/v1/leads', {
      headers: { authorization: `Bearer ${await issuer.token({ iat: 1000, exp: 2000 })}` },
    });
    expect(expired.status).toBe(401);
    expect(upstreams.ingestion.requests.length).toBe(before);
  });

  it('forwards a valid token unchanged, and the anonymous auth routes without one', async () => {
    const token = await issuer.token();
    const res = await send(a, '/api/v1/leads?limit=5', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(upstreams.ingestion.last().headers.authorization).toBe(`Bearer ${token}`);
    expect((await send(a, '/api/v1/auth/login', { method: 'POST', body: Buffer.from('{}') })).status).toBe(
      200,
    );
    expect(upstreams.identity.last().url).toBe('/api/v1/auth/login');
    expect((await send(a, '/webhooks/leads/abc', { method: 'POST', body: Buffer.from('{}') })).status).toBe(
      200,
    );
  });

  it('exchanges an API key for a token, hides the key from services, and honours revocation within 5 s', async () => {
    const res = await send(a, '/api/v1/leads', { headers: { 'x-api-key': 'lf_goodkey1_secret' } });
    expect(res.status).toBe(200);
    const forwarded = upstreams.ingestion.last().headers;
    expect(forwarded['x-api-key']).toBeUndefined();
    expect(forwarded.authorization).toMatch(/^Bearer ey/);
    const unknown = await send(a, '/api/v1/leads', { headers: { 'x-api-key': 'lf_unknown_secret' } });
    expect(unknown.status).toBe(401);
    expect(unknown.json()).toMatchObject({ code: 'invalid_api_key' });

    keyRevoked = true;
    const revokedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < 8000) {
      status = (await send(a, '/api/v1/leads', { headers: { 'x-api-key': 'lf_goodkey1_secret' } })).status;
      // Slow enough to stay under this client's rate limit of LIMIT a minute.
      if (status === 200) await new Promise((r) => setTimeout(r, 600));
    }
    expect(status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(5000);
    expect(exchanges).toBeGreaterThan(2);
  });

  it('limits each client exactly at the boundary across two gateway instances', async () => {
    // The gateway counts in epoch-aligned one-minute windows: start where 30 s are left.
    const minute = await freshWindow(60_000, 30_000);
    const token = await issuer.token();
    const headers = { authorization: `Bearer ${token}` };
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT; i++)
      statuses.push((await send(i % 2 ? b : a, '/api/v1/leads', { headers })).status);
    const over = await send(b, '/api/v1/leads', { headers });
    expect({ sameWindow: minute.current() }).toEqual({ sameWindow: true });
    expect(statuses).toEqual(Array(LIMIT).fill(200));
    expect(over.status).toBe(429);
    expect(over.json()).toMatchObject({ code: 'rate_limited' });
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(over.headers['ratelimit-remaining']).toBe('0');
    // Another client is not affected.
    const other = await send(a, '/api/v1/leads', {
      headers: { authorization: `Bearer ${await issuer.token()}` },
    });
    expect(other.status).toBe(200);
    expect(other.headers['ratelimit-remaining']).toBe(String(LIMIT - 1));
  }, 90_000);
});
