import type { ErrorSpec } from '@leadflow/platform/errors';
import { defineErrors } from '@leadflow/platform/errors';

export enum MemberErrorCode {
  LastOwner = 'last_owner',
  OwnerRequired = 'owner_required',
  OwnMembership = 'own_membership',
  RoleAboveOwn = 'role_above_own',
  WorkspacesNotHeld = 'workspaces_not_held',
}

export const MemberError = defineErrors('MemberError', {
  [MemberErrorCode.LastOwner]: { kind: 'conflict', message: 'An organization keeps at least one owner' },
  [MemberErrorCode.OwnerRequired]: {
    kind: 'forbidden',
    message: 'Only an owner can grant the owner role or change an owner',
  },
  [MemberErrorCode.OwnMembership]: {
    kind: 'forbidden',
    message: 'Nobody changes their own role or workspaces: another admin or owner must',
  },
  [MemberErrorCode.RoleAboveOwn]: {
    kind: 'forbidden',
    message: 'You cannot grant, or change a member holding, a role above your own',
  },
  [MemberErrorCode.WorkspacesNotHeld]: {
    kind: 'forbidden',
    message:
      'A principal limited to some workspaces can only grant (and change members of) a subset of those workspaces',
  },
} satisfies Record<MemberErrorCode, ErrorSpec>);
export type MemberError = InstanceType<typeof MemberError>;
