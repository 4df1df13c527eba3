import type { AccessTokenClaims } from '@leadflow/contracts';
import { Scopes } from '@leadflow/contracts';
import { BaseServiceEnv, ConfigModule, loadConfig } from '@leadflow/platform/config';
import { ProblemDetailsFilter } from '@leadflow/platform/errors';
import type { INestApplication } from '@nestjs/common';
import { Controller, Get, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { JWK, KeyLike } from 'jose';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { createHmac, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import request from 'supertest';
import { AuthModule } from './auth.module';
import {
  CurrentPrincipal,
  OperatorOnly,
  Public,
  RequireRole,
  RequireScopes,
  RequireUser,
} from './decorators';
import type { Principal } from './principal';

@Controller()
class ProbeController {
  @Get('me')
  me(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  @Public()
  @Get('open')
  open(): { ok: true } {
    return { ok: true };
  }

  @RequireRole('admin')
  @Get('admin-only')
  adminOnly(): { ok: true } {
    return { ok: true };
  }

  @RequireScopes('conversions:write')
  @Get('conversions')
  conversions(): { ok: true } {
    return { ok: true };
  }

  @RequireUser()
  @Get('people-only')
  peopleOnly(): { ok: true } {
    return { ok: true };
  }

  @OperatorOnly()
  @Get('operator')
  operator(): { ok: true } {
    return { ok: true };
  }
}

interface SigningKey {
  kid: string;
  privateKey: KeyLike;
  jwk: JWK;
  pem: string;
}

async function signingKey(): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  const { createPublicKey } = await import('node:crypto');
  const jwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' };
  const pem = createPublicKey({ key: jwk as never, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
  return { kid, privateKey, jwk, pem };
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('PlatformAuthGuard with JwtStrategy (real JWKS over HTTP)', () => {
  let app: INestApplication;
  let jwks: Server;
  let published: JWK[];
  let key: SigningKey;
  let foreign: SigningKey;
  const env = { JWT_ISSUER: 'leadflow-identity', JWT_AUDIENCE: 'leadflow-api' };

  const claims = (over: Partial<AccessTokenClaims> = {}): AccessTokenClaims => {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: env.JWT_ISSUER,
      aud: env.JWT_AUDIENCE,
      sub: randomUUID(),
      org: randomUUID(),
      typ: 'user',
      role: 'agent',
      scp: ['leads:read'],
      jti: randomUUID(),
      iat: now,
      exp: now + 300,
      ...over,
    };
  };
  const sign = (c: AccessTokenClaims, k: SigningKey = key, kid = k.kid): Promise<string> =>
    new SignJWT({ ...c }).setProtectedHeader({ alg: 'RS256', kid }).sign(k.privateKey);
  const get = (path: string, token?: string): request.Test => {
    const r = request(app.getHttpServer()).get(path);
    return token ? r.set('Authorization', `Bearer ${token}`) : r;
  };

  beforeAll(async () => {
    key = await signingKey();
    foreign = await signingKey();
    published = [key.jwk];
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((done) => jwks.listen(0, '127.0.0.1', done));
    const config = loadConfig(BaseServiceEnv, {
      ...env,
      IDENTITY_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`,
      OPERATOR_TOKEN: 'operator-secret-0123456789',
    });
    @Module({
      imports: [ConfigModule.register(config, [BaseServiceEnv]), AuthModule.forRoot()],
      controllers: [ProbeController],
      providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
    })
    class ProbeModule {}
    const moduleRef = await Test.createTestingModule({ imports: [ProbeModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await new Promise((done) => jwks?.close(done));
  });

  it('accepts a valid token and turns it into a principal', async () => {
    const c = claims({ ws: [randomUUID()], sid: randomUUID() });
    const res = await get('/me', await sign(c)).expect(200);
    expect(res.body).toEqual({
      kind: 'user',
      id: c.sub,
      organizationId: c.org,
      role: 'agent',
      workspaceIds: c.ws,
      scopes: ['leads:read'],
      sessionId: c.sid,
      tokenId: c.jti,
    });
  });

  it('answers 401 problem+json with a Bearer challenge when the token is missing', async () => {
    const res = await get('/me').expect(401);
    expect(res.headers['www-authenticate']).toContain('Bearer');
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 401, code: 'invalid_token' });
  });

  it('lets public routes through without a token', async () => {
    await get('/open').expect(200);
  });

  describe('refuses tampered and invalid tokens with 401', () => {
    const cases: [string, () => Promise<string>][] = [
      ['alg: none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`],
      [
        'HS256 signed with the public key',
        async () => {
          const body = `${b64({ alg: 'HS256', kid: key.kid, typ: 'JWT' })}.${b64(claims())}`;
          return `${body}.${createHmac('sha256', key.pem).update(body).digest('base64url')}`;
        },
      ],
      ['expired', async () => sign(claims({ iat: 1_000, exp: 2_000 }))],
      ['not yet valid', async () => sign(claims({ nbf: Math.floor(Date.now() / 1000) + 3600 }))],
      ['unknown kid', async () => sign(claims(), key, randomUUID())],
      ['wrong issuer', async () => sign(claims({ iss: 'someone-else' }))],
      ['wrong audience', async () => sign(claims({ aud: 'another-api' }))],
      [
        'payload edited after signing',
        async () => {
          const [h, , s] = (await sign(claims())).split('.');
          return `${h}.${b64(claims({ role: 'owner' }))}.${s}`;
        },
      ],
      ['signed by a foreign key under our kid', async () => sign(claims(), foreign, key.kid)],
      ['missing tenant claims', async () => sign({ ...claims(), org: undefined as unknown as string })],
      ['garbage', async () => 'not.a.jwt'],
    ];
    it.each(cases)('%s', async (_name, make) => {
      const res = await get('/me', await make()).expect(401);
      expect(res.body).toMatchObject({ code: 'invalid_token' });
    });
  });

  it('picks up a rotated key from the JWKS on an unknown kid', async () => {
    const next = await signingKey();
    published = [key.jwk, next.jwk];
    await new Promise((r) => setTimeout(r, 2100)); // past the refresh floor of the earlier unknown-kid lookup
    await get('/me', await sign(claims(), next)).expect(200);
    await get('/me', await sign(claims(), key)).expect(200); // the old key stays valid
  });

  it('enforces roles and scopes with 403', async () => {
    const agent = await sign(claims({ role: 'agent' }));
    expect((await get('/admin-only', agent).expect(403)).body).toMatchObject({ code: 'insufficient_role' });
    await get('/admin-only', await sign(claims({ role: 'owner' }))).expect(200);
    expect((await get('/conversions', agent).expect(403)).body).toMatchObject({ code: 'insufficient_scope' });
    await get('/conversions', await sign(claims({ typ: 'api_key', scp: ['conversions:write'] }))).expect(200);
  });

  it('refuses API keys, whatever their scopes, on routes for signed-in people', async () => {
    const key = await sign(claims({ typ: 'api_key', scp: [...Scopes] }));
    expect((await get('/people-only', key).expect(403)).body).toMatchObject({ code: 'user_token_required' });
    await get('/people-only', await sign(claims({ role: 'agent' }))).expect(200);
  });

  it('admits operators only with the operator token, never with a tenant token', async () => {
    await get('/operator', await sign(claims({ role: 'owner' }))).expect(401);
    await request(app.getHttpServer()).get('/operator').set('X-Operator-Token', 'wrong').expect(401);
    await request(app.getHttpServer())
      .get('/operator')
      .set('X-Operator-Token', 'operator-secret-0123456789')
      .expect(200);
  });
});
