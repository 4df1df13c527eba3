import { IsOmittable } from '@leadflow/platform/errors';
import type { Role } from '@leadflow/contracts';
import { Roles } from '@leadflow/contracts';
import { PageQuery } from '@leadflow/platform/persistence';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
} from 'class-validator';
import type { InvitationEntity } from '../invitation.entity';
import type { InvitationStatus } from '../invitation.state';
import { InvitationStatuses, invitationStatus } from '../invitation.state';

export class CreateInvitationDto {
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(320)
  email!: string;

  @IsIn(Roles)
  role!: Role;

  /** Workspaces the new member is limited to; absent or null: every workspace. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  workspaceIds?: string[] | null;
}

export class ListInvitationsQuery extends PageQuery {
  @IsOptional()
  @IsIn(InvitationStatuses)
  status?: InvitationStatus;
}

export class AcceptInvitationDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  token!: string;

  /** Required when the e-mail has no account yet. */
  @IsOmittable()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  /** New account: its password (policy applies). Existing account: its current password. */
  @IsOmittable()
  @IsString()
  @MaxLength(1024)
  password?: string;
}

export interface InvitationView {
  id: string;
  email: string;
  role: Role;
  workspaceIds: string[] | null;
  expiresAt: string;
  status: InvitationStatus;
  createdAt: string;
}

export function toInvitationView(i: InvitationEntity, now: Date): InvitationView {
  return {
    id: i.id,
    email: i.email,
    role: i.role,
    workspaceIds: i.workspaceIds,
    expiresAt: i.expiresAt.toISOString(),
    status: invitationStatus(i, now),
    createdAt: i.createdAt.toISOString(),
  };
}
