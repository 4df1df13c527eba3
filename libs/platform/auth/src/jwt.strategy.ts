import type { AccessTokenClaims } from '@leadflow/contracts';
import { BaseServiceEnv } from '@leadflow/platform/config';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { decodeProtectedHeader } from 'jose';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { Principal } from './principal';
import { principalFromClaims } from './principal';
import type { VerificationKeySource } from './key-source';
import { VERIFICATION_KEY_SOURCE } from './key-source';

/**
 * Verifies `Authorization: Bearer <access token>` with passport-jwt: RS256 only (so `alg: none`
 * and HS256 signed with the public key are refused), the key chosen by `kid` from identity's
 * JWKS, issuer, audience, expiry and not-before checked, and the claims turned into a Principal.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(env: BaseServiceEnv, @Inject(VERIFICATION_KEY_SOURCE) keys: VerificationKeySource) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      algorithms: ['RS256'],
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: 5 },
      secretOrKeyProvider: (_req: unknown, rawJwt: string, done: (err: unknown, key?: string) => void) => {
        let kid: string | undefined;
        try {
          kid = decodeProtectedHeader(rawJwt).kid;
        } catch {
          done(null, undefined);
          return;
        }
        if (!kid) {
          done(null, undefined);
          return;
        }
        keys.getKey(kid).then(
          (key) => done(null, key),
          () => done(null, undefined),
        );
      },
    });
  }

  validate(claims: AccessTokenClaims): Principal | false {
    const wellFormed =
      typeof claims.sub === 'string' &&
      typeof claims.org === 'string' &&
      (claims.typ === 'user' || claims.typ === 'api_key') &&
      typeof claims.role === 'string' &&
      Array.isArray(claims.scp) &&
      typeof claims.jti === 'string' &&
      (claims.ws === undefined || Array.isArray(claims.ws));
    return wellFormed ? principalFromClaims(claims) : false;
  }
}
