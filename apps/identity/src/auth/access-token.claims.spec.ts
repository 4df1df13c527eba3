import { roleScopes } from '@leadflow/contracts';
import { apiKeyAccessClaims, userAccessClaims } from './access-token.claims';

const ctx = {
  issuer: 'leadflow-identity',
  audience: 'leadflow-api',
  now: 1_800_000_000,
  ttlSeconds: 900,
  jti: 'j1',
};

describe('access token claims', () => {
  it('builds a user token with the role scopes, session and no ws when unlimited', () => {
    const claims = userAccessClaims(ctx, {
      userId: 'u1',
      organizationId: 'o1',
      role: 'manager',
      workspaceIds: null,
      sessionId: 's1',
    });
    expect(claims).toEqual({
      iss: 'leadflow-identity',
      aud: 'leadflow-api',
      sub: 'u1',
      org: 'o1',
      typ: 'user',
      role: 'manager',
      scp: [...roleScopes.manager],
      sid: 's1',
      jti: 'j1',
      iat: 1_800_000_000,
      exp: 1_800_000_900,
    });
    expect('ws' in claims).toBe(false);
  });

  it('limits a workspace-limited user with ws', () => {
    const claims = userAccessClaims(ctx, {
      userId: 'u1',
      organizationId: 'o1',
      role: 'agent',
      workspaceIds: ['w1', 'w2'],
      sessionId: 's1',
    });
    expect(claims.ws).toEqual(['w1', 'w2']);
  });

  it('never issues a token longer than 15 minutes', () => {
    const claims = userAccessClaims(
      { ...ctx, ttlSeconds: 3600 },
      { userId: 'u', organizationId: 'o', role: 'owner', workspaceIds: null, sessionId: 's' },
    );
    expect(claims.exp - claims.iat).toBe(900);
  });

  it('builds an API key token: typ api_key, role agent, the key scopes, ws of its workspace', () => {
    const claims = apiKeyAccessClaims(
      { ...ctx, ttlSeconds: 60 },
      { keyId: 'k1', organizationId: 'o1', scopes: ['conversions:write'], workspaceId: 'w9' },
    );
    expect(claims).toMatchObject({
      sub: 'k1',
      typ: 'api_key',
      role: 'agent',
      scp: ['conversions:write'],
      ws: ['w9'],
    });
    expect(claims.exp - claims.iat).toBe(60);
    expect(claims.sid).toBeUndefined();
    expect(
      'ws' in apiKeyAccessClaims(ctx, { keyId: 'k', organizationId: 'o', scopes: [], workspaceId: null }),
    ).toBe(false);
  });
});
