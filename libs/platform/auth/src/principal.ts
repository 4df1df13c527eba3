import type { AccessTokenClaims, PrincipalKind, Role, Scope } from '@leadflow/contracts';
import { roleRank } from '@leadflow/contracts';
import type { TenantScope } from '@leadflow/platform/persistence';

/** The authenticated caller, as every controller and service sees it. */
export interface Principal {
  kind: PrincipalKind;
  /** User id or API key id. */
  id: string;
  organizationId: string;
  role: Role;
  /** Workspaces the principal is limited to; undefined: all of the organization's. */
  workspaceIds?: readonly string[];
  scopes: readonly Scope[];
  sessionId?: string;
  tokenId: string;
}

export function principalFromClaims(claims: AccessTokenClaims): Principal {
  return {
    kind: claims.typ,
    id: claims.sub,
    organizationId: claims.org,
    role: claims.role,
    ...(claims.ws ? { workspaceIds: claims.ws } : {}),
    scopes: claims.scp,
    ...(claims.sid ? { sessionId: claims.sid } : {}),
    tokenId: claims.jti,
  };
}

/** Whose rows the principal may touch (for TenantRepository). */
export function tenantScopeOf(principal: Principal): TenantScope {
  return principal.workspaceIds
    ? { organizationId: principal.organizationId, workspaceIds: principal.workspaceIds }
    : { organizationId: principal.organizationId };
}

export function hasRole(principal: Principal, role: Role): boolean {
  return roleRank[principal.role] >= roleRank[role];
}

export function hasScopes(principal: Principal, scopes: readonly Scope[]): boolean {
  return scopes.every((s) => principal.scopes.includes(s));
}

export function canAccessWorkspace(principal: Principal, workspaceId: string): boolean {
  return !principal.workspaceIds || principal.workspaceIds.includes(workspaceId);
}
