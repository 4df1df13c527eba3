import { IsOmittable } from '@leadflow/platform/errors';
import type { Role } from '@leadflow/contracts';
import { Roles } from '@leadflow/contracts';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsUUID } from 'class-validator';
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

export class RemoveMemberQuery {
  /** Owners only: keep the API keys the member created (listed in the answer) instead of revoking them. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  keepApiKeys?: boolean;
}

export interface ApiKeyRef {
  id: string;
  name: string;
  prefix: string;
  workspaceId: string | null;
}

export interface RemovedMemberView {
  /** The user's id. */
  id: string;
  sessionsRevoked: number;
  /** Keys the member created, revoked with the membership. */
  apiKeysRevoked: ApiKeyRef[];
  /** Keys the member created and the owner kept (keepApiKeys=true): still live, review them. */
  apiKeysKept: ApiKeyRef[];
}

export function toApiKeyRef(k: {
  id: string;
  name: string;
  prefix: string;
  workspaceId: string | null;
}): ApiKeyRef {
  return { id: k.id, name: k.name, prefix: k.prefix, workspaceId: k.workspaceId };
}

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
