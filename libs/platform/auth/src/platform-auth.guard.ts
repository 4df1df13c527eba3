import type { Role, Scope } from '@leadflow/contracts';
import { BaseServiceEnv } from '@leadflow/platform/config';
import { DomainError } from '@leadflow/platform/errors';
import type { ExecutionContext } from '@nestjs/common';
import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { timingSafeEqual } from 'node:crypto';
import type { AuthenticatedRequest } from './decorators';
import { IS_PUBLIC, OPERATOR_ONLY, REQUIRED_ROLE, REQUIRED_SCOPES, USER_ONLY } from './decorators';
import type { Principal } from './principal';
import { hasRole, hasScopes } from './principal';

/** Whether an `X-Operator-Token` header is the operator token (constant time; never when none is set). */
export function operatorTokenMatches(expected: string, given: string | string[] | undefined): boolean {
  const a = Buffer.from(typeof given === 'string' ? given : '');
  const b = Buffer.from(expected);
  return b.length > 0 && a.length === b.length && timingSafeEqual(a, b);
}

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="leadflow", error="invalid_token"' };

/**
 * The one guard of every service, applied to every route: authenticated unless `@Public()`,
 * operator-only routes checked against OPERATOR_TOKEN, then `@RequireUser`, `@RequireRole` and
 * `@RequireScopes`.
 * A missing or bad token answers 401, missing rights 403 (tenant isolation itself answers 404,
 * in the repositories).
 */
@Injectable()
export class PlatformAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly env: BaseServiceEnv,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (this.reflector.getAllAndOverride<boolean>(OPERATOR_ONLY, targets)) return this.checkOperator(req);
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    await super.canActivate(context);
    const principal = req.user as Principal;
    if (principal.kind !== 'user' && this.reflector.getAllAndOverride<boolean>(USER_ONLY, targets)) {
      throw new DomainError(
        'forbidden',
        'user_token_required',
        'This needs the access token of a signed-in user, not an API key',
      );
    }
    const role = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets);
    if (role && !hasRole(principal, role)) {
      throw new DomainError('forbidden', 'insufficient_role', `This needs the ${role} role or higher`);
    }
    const scopes = this.reflector.getAllAndOverride<Scope[] | undefined>(REQUIRED_SCOPES, targets);
    if (scopes && !hasScopes(principal, scopes)) {
      throw new DomainError('forbidden', 'insufficient_scope', `This needs the scopes ${scopes.join(', ')}`);
    }
    return true;
  }

  override handleRequest<T>(err: unknown, user: T | false): T {
    if (err || !user) {
      throw new DomainError('unauthorized', 'invalid_token', 'A valid access token is required', {
        headers: CHALLENGE,
      });
    }
    return user;
  }

  private checkOperator(req: AuthenticatedRequest): boolean {
    const expected = this.env.OPERATOR_TOKEN;
    const given = req.headers['x-operator-token'];
    if (!expected)
      throw new DomainError(
        'forbidden',
        'operator_access_disabled',
        'OPERATOR_TOKEN is not set on this service',
      );
    if (!operatorTokenMatches(expected, given)) {
      throw new DomainError('unauthorized', 'invalid_operator_token', 'A valid X-Operator-Token is required');
    }
    return true;
  }
}
