import type { Role } from '@leadflow/contracts';
import { roleRank } from '@leadflow/contracts';
import type { DomainError } from '@leadflow/platform/errors';
import { MemberError, MemberErrorCode } from './members.errors';

/** Who grants: the caller (a user or an API key). */
export interface GrantActor {
  kind: 'user' | 'api_key';
  /** User id (or API key id). */
  id: string;
  role: Role;
  /** Workspaces the actor is limited to; undefined: the whole organization. */
  workspaceIds?: readonly string[];
}

/** Whose membership changes: an existing member, or null for an invitation (a new membership). */
export interface GrantTarget {
  userId: string;
  role: Role;
  workspaceIds: readonly string[] | null;
}

/** What the membership becomes; undefined fields stay as they are (null workspaces: all). */
export interface GrantChange {
  role?: Role;
  workspaceIds?: readonly string[] | null;
  /** The membership is removed (offboarding). */
  remove?: boolean;
}

/**
 * The one rule for granting access, used by invitations, member changes and removals. Returns
 * why the actor may not make the change, or null when it may:
 * - nobody changes their own role or workspaces (own_membership);
 * - only an owner grants the owner role or touches an owner (owner_required);
 * - nobody grants, or touches a member holding, a role above their own (role_above_own);
 * - a workspace-limited actor only grants a non-null subset of the workspaces it holds, and only
 *   touches members whose workspaces are such a subset (workspaces_not_held).
 */
export function grantRefusal(
  actor: GrantActor,
  target: GrantTarget | null,
  change: GrantChange,
): DomainError | null {
  if (target && actor.kind === 'user' && actor.id === target.userId && !change.remove) {
    return MemberError.of(MemberErrorCode.OwnMembership);
  }
  const roles = [target?.role, change.role].filter((r): r is Role => r !== undefined);
  if (roles.includes('owner') && actor.role !== 'owner') return MemberError.of(MemberErrorCode.OwnerRequired);
  if (roles.some((r) => roleRank[r] > roleRank[actor.role]))
    return MemberError.of(MemberErrorCode.RoleAboveOwn);
  if (actor.workspaceIds) {
    const held = new Set(actor.workspaceIds);
    const within = (ids: readonly string[] | null | undefined): boolean =>
      ids === undefined || (ids !== null && ids.every((id) => held.has(id)));
    if (!within(target?.workspaceIds) || !within(change.workspaceIds))
      return MemberError.of(MemberErrorCode.WorkspacesNotHeld);
  }
  return null;
}
