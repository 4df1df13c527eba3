import { IsOmittable } from '@leadflow/platform/errors';
import type { Role } from '@leadflow/contracts';
import { Roles } from '@leadflow/contracts';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQuery } from '@leadflow/platform/persistence';
import type { MembershipEntity } from '../../users/membership.entity';
import type { UserEntity } from '../../users/user.entity';

export class UpdateMemberDto {
  @IsOmittable()
  @IsIn(Roles)
  role?: Role;

  /** null: every workspace of the organization. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  workspaceIds?: string[] | null;
}

export class ListMembersQuery extends PageQuery {}

export interface MemberView {
  /** The user's id. */
  id: string;
  email: string;
  name: string;
  active: boolean;
  role: Role;
  workspaceIds: string[] | null;
  joinedAt: string;
}

export function toMemberView(m: MembershipEntity, u: UserEntity): MemberView {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    active: u.active,
    role: m.role,
    workspaceIds: m.workspaceIds,
    joinedAt: m.createdAt.toISOString(),
  };
}
