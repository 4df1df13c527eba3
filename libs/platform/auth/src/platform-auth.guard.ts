import type { Role, Scope } from '@leadflow/contracts';
import { BaseServiceEnv } from '@leadflow/platform/config';
import type { ExecutionContext } from '@nestjs/common';
import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { timingSafeEqual } from 'node:crypto';
import { AccessError, AccessErrorCode } from './access.errors';
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
      throw AccessError.of(AccessErrorCode.UserTokenRequired);
    }
    const role = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets);
    if (role && !hasRole(principal, role)) {
      throw AccessError.of(AccessErrorCode.InsufficientRole, { role });
    }
    const scopes = this.reflector.getAllAndOverride<Scope[] | undefined>(REQUIRED_SCOPES, targets);
    if (scopes && !hasScopes(principal, scopes)) {
      throw AccessError.of(AccessErrorCode.InsufficientScope, { scopes });
    }
    return true;
  }

  override handleRequest<T>(err: unknown, user: T | false): T {
    if (err || !user) {
      throw AccessError.of(AccessErrorCode.InvalidToken);
    }
    return user;
  }

  private checkOperator(req: AuthenticatedRequest): boolean {
    const expected = this.env.OPERATOR_TOKEN;
    const given = req.headers['x-operator-token'];
    if (!expected) throw AccessError.of(AccessErrorCode.OperatorAccessDisabled);
    if (!operatorTokenMatches(expected, given)) {
      throw AccessError.of(AccessErrorCode.InvalidOperatorToken);
    }
    return true;
  }
}
