import type { Role, Scope } from '@leadflow/contracts';
import type { ExecutionContext } from '@nestjs/common';
import { SetMetadata, applyDecorators, createParamDecorator } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Principal } from './principal';

export const IS_PUBLIC = 'leadflow:isPublic';
export const REQUIRED_ROLE = 'leadflow:requiredRole';
export const REQUIRED_SCOPES = 'leadflow:requiredScopes';
export const OPERATOR_ONLY = 'leadflow:operatorOnly';
export const USER_ONLY = 'leadflow:userOnly';

/**
 * Each access rule is also written into the OpenAPI operation (`x-leadflow-public`,
 * `x-leadflow-role`, `x-leadflow-scopes`, `x-leadflow-operator`): clients can read it, and the
 * generated access-control matrix test checks every route against what it declares.
 */
const rule = (key: string, value: unknown, extension: string): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(key, value), ApiExtension(extension, value));

/** No token needed (sign-up, login, JWKS, health, vendor webhooks, tracking, callbacks). */
export const Public = (): MethodDecorator & ClassDecorator => rule(IS_PUBLIC, true, 'x-leadflow-public');

/** The principal's organization role must be at least this one. */
export const RequireRole = (role: Role): MethodDecorator & ClassDecorator =>
  rule(REQUIRED_ROLE, role, 'x-leadflow-role');

/** The principal must hold every one of these scopes. */
export const RequireScopes = (...scopes: Scope[]): MethodDecorator & ClassDecorator =>
  rule(REQUIRED_SCOPES, scopes, 'x-leadflow-scopes');

/**
 * Signed-in people only (their own account: /me, their password, their session): an API key's
 * token is refused with 403 before the body is read, whatever its scopes.
 */
export const RequireUser = (): MethodDecorator & ClassDecorator => rule(USER_ONLY, true, 'x-leadflow-user');

/**
 * Platform operators only (cross-tenant tools such as the DLQ): the `X-Operator-Token` header must
 * equal OPERATOR_TOKEN; tenants' tokens never qualify. Never routed by the gateway.
 */
export const OperatorOnly = (): MethodDecorator & ClassDecorator =>
  rule(OPERATOR_ONLY, true, 'x-leadflow-operator');

export type AuthenticatedRequest = Request & { user?: Principal };

/** The authenticated principal of the request. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().user;
  if (!principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return principal;
});
