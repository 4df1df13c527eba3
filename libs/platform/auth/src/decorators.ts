import type { Role, Scope } from '@leadflow/contracts';
import type { ExecutionContext } from '@nestjs/common';
import { SetMetadata, createParamDecorator } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal } from './principal';

export const IS_PUBLIC = 'leadflow:isPublic';
export const REQUIRED_ROLE = 'leadflow:requiredRole';
export const REQUIRED_SCOPES = 'leadflow:requiredScopes';
export const OPERATOR_ONLY = 'leadflow:operatorOnly';

/** No token needed (sign-up, login, JWKS, health, vendor webhooks, tracking, callbacks). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** The principal's organization role must be at least this one. */
export const RequireRole = (role: Role): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLE, role);

/** The principal must hold every one of these scopes. */
export const RequireScopes = (...scopes: Scope[]): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_SCOPES, scopes);

/**
 * Platform operators only (cross-tenant tools such as the DLQ): the `X-Operator-Token` header must
 * equal OPERATOR_TOKEN; tenants' tokens never qualify. Never routed by the gateway.
 */
export const OperatorOnly = (): MethodDecorator & ClassDecorator => SetMetadata(OPERATOR_ONLY, true);

export type AuthenticatedRequest = Request & { user?: Principal };

/** The authenticated principal of the request. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().user;
  if (!principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return principal;
});
