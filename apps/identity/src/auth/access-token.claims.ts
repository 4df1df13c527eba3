import type { AccessTokenClaims, Role, Scope } from '@leadflow/contracts';
import { MAX_ACCESS_TOKEN_TTL_SECONDS, roleScopes } from '@leadflow/contracts';

export interface TokenContext {
  issuer: string;
  audience: string;
  /** Seconds since the epoch. */
  now: number;
  ttlSeconds: number;
  jti: string;
}

function lifetime(ctx: TokenContext): Pick<AccessTokenClaims, 'iss' | 'aud' | 'jti' | 'iat' | 'exp'> {
  const ttl = Math.min(Math.max(1, Math.floor(ctx.ttlSeconds)), MAX_ACCESS_TOKEN_TTL_SECONDS);
  return { iss: ctx.issuer, aud: ctx.audience, jti: ctx.jti, iat: ctx.now, exp: ctx.now + ttl };
}

/** A person's token: the role's scopes, `ws` only when limited to some workspaces, `sid` its session. */
export function userAccessClaims(
  ctx: TokenContext,
  user: {
    userId: string;
    organizationId: string;
    role: Role;
    workspaceIds: readonly string[] | null;
    sessionId: string;
  },
): AccessTokenClaims {
  return {
    ...lifetime(ctx),
    sub: user.userId,
    org: user.organizationId,
    typ: 'user',
    role: user.role,
    ...(user.workspaceIds ? { ws: [...user.workspaceIds] } : {}),
    scp: [...roleScopes[user.role]],
    sid: user.sessionId,
  };
}

/** An API key's token: `sub` the key id, role agent, exactly the key's scopes, `ws` when limited. */
export function apiKeyAccessClaims(
  ctx: TokenContext,
  key: { keyId: string; organizationId: string; scopes: readonly Scope[]; workspaceId: string | null },
): AccessTokenClaims {
  return {
    ...lifetime(ctx),
    sub: key.keyId,
    org: key.organizationId,
    typ: 'api_key',
    role: 'agent',
    ...(key.workspaceId ? { ws: [key.workspaceId] } : {}),
    scp: [...key.scopes],
  };
}
