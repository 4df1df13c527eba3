import type { AccessTokenClaims } from '@leadflow/contracts';
import { roleScopes } from '@leadflow/contracts';
import type { JWK, KeyLike } from 'jose';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { randomUUID } from 'node:crypto';

/** Signs access tokens the way identity does, and serves the matching JWKS (for a fake identity). */
export class TokenIssuer {
  private constructor(
    private readonly kid: string,
    private readonly privateKey: KeyLike,
    readonly jwk: JWK,
  ) {}

  static async create(): Promise<TokenIssuer> {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const kid = randomUUID();
    return new TokenIssuer(kid, privateKey, {
      ...(await exportJWK(publicKey)),
      kid,
      use: 'sig',
      alg: 'RS256',
    });
  }

  jwks(): string {
    return JSON.stringify({ keys: [this.jwk] });
  }

  token(over: Partial<AccessTokenClaims> = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: AccessTokenClaims = {
      iss: 'leadflow-identity',
      aud: 'leadflow-api',
      sub: randomUUID(),
      org: randomUUID(),
      typ: 'user',
      role: 'admin',
      scp: [...roleScopes.admin],
      jti: randomUUID(),
      iat: now,
      exp: now + 300,
      ...over,
    };
    return new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: this.kid })
      .sign(this.privateKey);
  }
}
