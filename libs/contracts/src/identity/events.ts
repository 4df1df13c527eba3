import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  Min,
} from 'class-validator';
import { defineEvent } from '../envelope';
import { Topics } from '../topics';
import type { Role } from './access';
import { Roles } from './access';

export const Plans = ['free', 'pro', 'enterprise'] as const;
export type Plan = (typeof Plans)[number];
export const WorkspaceKinds = ['team', 'client', 'buyer'] as const;
export type WorkspaceKind = (typeof WorkspaceKinds)[number];

/** Monthly quotas of a plan (null: unlimited). */
export class PlanQuotas {
  @IsOptional() @IsInt() @Min(0) leads!: number | null;
  @IsOptional() @IsInt() @Min(0) enrichments!: number | null;
  @IsOptional() @IsInt() @Min(0) emails!: number | null;
  @IsOptional() @IsInt() @Min(0) sms!: number | null;
  @IsOptional() @IsInt() @Min(0) callMinutes!: number | null;
}

export class OrganizationPayload {
  @IsUUID('all') id!: string;
  @IsString() @MaxLength(200) name!: string;
  @IsString() @MaxLength(100) slug!: string;
  @IsIn(Plans) plan!: Plan;
  @IsObject() quotas!: PlanQuotas;
  @IsIn(['active', 'suspended']) status!: 'active' | 'suspended';
}

export class WorkspacePayload {
  @IsUUID('all') id!: string;
  @IsUUID('all') organizationId!: string;
  @IsString() @MaxLength(200) name!: string;
  @IsIn(WorkspaceKinds) kind!: WorkspaceKind;
  @IsString() @MaxLength(64) timezone!: string;
  @IsIn(['active', 'archived']) status!: 'active' | 'archived';
}

export class UserPayload {
  @IsUUID('all') id!: string;
  @IsUUID('all') organizationId!: string;
  @IsString() @MaxLength(320) email!: string;
  @IsString() @MaxLength(200) name!: string;
  @IsIn(Roles) role!: Role;
  /** Absent: every workspace. */
  @IsOptional() @IsUUID('all', { each: true }) workspaceIds?: string[];
  @IsBoolean() active!: boolean;
}

/** A member left (or was removed from) an organization; the user account itself stays. */
export class UserRemovedPayload {
  /** The user's id. */
  @IsUUID('all') id!: string;
  @IsUUID('all') organizationId!: string;
  @IsISO8601() removedAt!: string;
}

export class PasswordResetRequestedPayload {
  @IsUUID('all') userId!: string;
  @IsString() @MaxLength(320) email!: string;
  @IsString() @MaxLength(200) name!: string;
  /**
   * The single-use token for the reset link, sealed with MAIL_TOKENS_KEY (MailTokens, purpose
   * `password_reset`, subject `userId`); campaigns opens it to e-mail the link. Never in clear.
   */
  @IsString() @MaxLength(1000) sealedToken!: string;
  @IsISO8601() expiresAt!: string;
}

export class InvitationCreatedPayload {
  @IsUUID('all') invitationId!: string;
  @IsString() @MaxLength(320) email!: string;
  @IsIn(Roles) role!: Role;
  /**
   * The single-use invitation token, sealed with MAIL_TOKENS_KEY (MailTokens, purpose
   * `invitation`, subject `invitationId`); campaigns opens it to e-mail the link. Never in clear.
   */
  @IsString() @MaxLength(1000) sealedToken!: string;
  @IsISO8601() expiresAt!: string;
}

export const OrganizationCreated = defineEvent({
  type: 'organization.created',
  version: 1,
  topic: Topics.identityOrganizations,
  payload: OrganizationPayload,
});
export const OrganizationUpdated = defineEvent({
  type: 'organization.updated',
  version: 1,
  topic: Topics.identityOrganizations,
  payload: OrganizationPayload,
});
export const WorkspaceCreated = defineEvent({
  type: 'workspace.created',
  version: 1,
  topic: Topics.identityWorkspaces,
  payload: WorkspacePayload,
});
export const WorkspaceUpdated = defineEvent({
  type: 'workspace.updated',
  version: 1,
  topic: Topics.identityWorkspaces,
  payload: WorkspacePayload,
});
export const UserCreated = defineEvent({
  type: 'user.created',
  version: 1,
  topic: Topics.identityUsers,
  payload: UserPayload,
});
export const UserUpdated = defineEvent({
  type: 'user.updated',
  version: 1,
  topic: Topics.identityUsers,
  payload: UserPayload,
});
/** Additive (v1): consumers that keep a copy of members mark the user gone from the organization. */
export const UserRemoved = defineEvent({
  type: 'user.removed',
  version: 1,
  topic: Topics.identityUsers,
  payload: UserRemovedPayload,
});
export const PasswordResetRequested = defineEvent({
  type: 'user.password_reset_requested',
  // v2: the token travels sealed (`sealedToken`); v1 carried it in clear and is no longer
  // published (no consumer read it). Same topic: the envelope's version tells them apart.
  version: 2,
  topic: Topics.identityUsers,
  payload: PasswordResetRequestedPayload,
});
export const InvitationCreated = defineEvent({
  type: 'user.invited',
  // v2: the token travels sealed (`sealedToken`); v1 carried it in clear and is no longer
  // published (no consumer read it). Same topic: the envelope's version tells them apart.
  version: 2,
  topic: Topics.identityUsers,
  payload: InvitationCreatedPayload,
});
