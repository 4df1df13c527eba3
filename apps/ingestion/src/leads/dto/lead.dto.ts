import { IsOmittable } from '@leadflow/platform/errors';
import type { LeadStatus, Vertical } from '@leadflow/contracts';
import { LeadStatuses, Verticals } from '@leadflow/contracts';
import { PageQuery } from '@leadflow/platform/persistence';
import {
  ArrayMaxSize,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import type { NoteType } from '../lead-history.entities';
import { NoteTypes } from '../lead-history.entities';

export class ListLeadsQuery extends PageQuery {
  @IsOptional() @IsIn(LeadStatuses) status?: LeadStatus;
  @IsOptional() @IsUUID('all') workspaceId?: string;
  @IsOptional() @IsIn(Verticals) vertical?: Vertical;
  @IsOptional() @IsUUID('all') providerId?: string;
  @IsOptional() @IsUUID('all') webhookId?: string;
  @IsOptional() @IsUUID('all') contactId?: string;
  /** Pipeline stage id. */
  @IsOptional() @IsUUID('all') stage?: string;
  @IsOptional() @IsUUID('all') assignedTo?: string;
  @IsOptional() @IsString() @MaxLength(100) tag?: string;
  @IsOptional() @IsISO8601({ strict: true }) createdFrom?: string;
  @IsOptional() @IsISO8601({ strict: true }) createdTo?: string;
  /** Words of the name, e-mail or phone (any format). */
  @IsOptional() @IsString() @MaxLength(200) q?: string;
}

export class UpdateLeadDto {
  /** Allowed: new → contacted → qualified → converted; any open lead → unqualified, lost, duplicate (with a reason). */
  @IsOmittable() @IsIn(LeadStatuses) status?: LeadStatus;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(1000) statusReason?: string | null;
  /** A pipeline stage of the lead's workspace, or null to clear. */
  @IsOptional() @ValidateIf((_o, v) => v !== null) @IsUUID('all') stageId?: string | null;
  /** A user id, or null to unassign. */
  @IsOptional() @ValidateIf((_o, v) => v !== null) @IsUUID('all') assignedTo?: string | null;
  @IsOmittable() @IsInt() @Min(1) @Max(5) priority?: number;
  @IsOptional() @ValidateIf((_o, v) => v !== null) @IsISO8601({ strict: true }) followUpAt?: string | null;
  /** Replaces the lead's tags. */
  @IsOmittable()
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(100, { each: true })
  @ArrayMaxSize(50)
  tags?: string[];
}

export class CreateNoteDto {
  @IsString() @IsNotEmpty() @MaxLength(10_000) body!: string;
  @IsOmittable() @IsIn(NoteTypes) type?: NoteType;
}

export const LoggableActivityTypes = ['call', 'email', 'sms', 'meeting'] as const;

export class LogActivityDto {
  @IsIn(LoggableActivityTypes) type!: (typeof LoggableActivityTypes)[number];
  @IsString() @IsNotEmpty() @MaxLength(200) title!: string;
  @IsOptional() @IsString() @MaxLength(10_000) description?: string | null;
  /** When it happened (default now). */
  @IsOmittable() @IsISO8601({ strict: true }) occurredAt?: string;
}

export interface NoteView {
  id: string;
  leadId: string;
  type: NoteType;
  body: string;
  author: { type: string; id: string | null };
  createdAt: string;
}

export interface ActivityView {
  id: string;
  leadId: string;
  type: string;
  title: string;
  description: string | null;
  actor: { type: string; id: string | null; name: string | null };
  metadata: Record<string, unknown>;
  occurredAt: string;
}

export interface StatusChangeView {
  from: LeadStatus | null;
  to: LeadStatus;
  reason: string | null;
  changedBy: string | null;
  at: string;
}
