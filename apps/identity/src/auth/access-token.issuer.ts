import type { Role, Scope } from '@leadflow/contracts';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { IdentityEnv } from '../config/env.schema';
import { SigningKeysService } from '../signing-keys/signing-keys.service';
import type { TokenContext } from './access-token.claims';
import { apiKeyAccessClaims, userAccessClaims } from './access-token.claims';

/**
 * Issues RS256 access tokens. They are not looked up per request: a revoked session's access
 * token stays valid until it expires (at most ACCESS_TOKEN_TTL_SECONDS ≤ 15 min) — by design.
 */
@Injectable()
export class AccessTokenIssuer {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly env: IdentityEnv,
  ) {}

  private context(ttlSeconds: number): TokenContext {
    return {
      issuer: this.env.JWT_ISSUER,
      audience: this.env.JWT_AUDIENCE,
      now: Math.floor(Date.now() / 1000),
      ttlSeconds,
      jti: uuidv7(),
    };
  }

  async forUser(user: {
    userId: string;
    organizationId: string;
    role: Role;
    workspaceIds: readonly string[] | null;
    sessionId: string;
  }): Promise<{ accessToken: string; expiresIn: number }> {
    const claims = userAccessClaims(this.context(this.env.ACCESS_TOKEN_TTL_SECONDS), user);
    return { accessToken: await this.keys.sign(claims), expiresIn: claims.exp - claims.iat };
  }

  async forApiKey(key: {
    keyId: string;
    organizationId: string;
    scopes: readonly Scope[];
    workspaceId: string | null;
  }): Promise<{ accessToken: string; expiresIn: number }> {
    const claims = apiKeyAccessClaims(this.context(this.env.API_KEY_TOKEN_TTL_SECONDS), key);
    return { accessToken: await this.keys.sign(claims), expiresIn: claims.exp - claims.iat };
  }
}
