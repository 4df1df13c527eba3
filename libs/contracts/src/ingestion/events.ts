import { Type } from 'class-transformer';
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
  ValidateNested,
} from 'class-validator';
import { defineEvent } from '../envelope';
import { Topics } from '../topics';
import type { LeadChannel, LeadStatus, Vertical } from './vocabulary';
import { LeadChannels, LeadStatuses, Verticals } from './vocabulary';

/** Consent evidence captured with a lead (TCPA). */
export class ConsentPayload {
  @IsBoolean() granted!: boolean;
  @IsOptional() @IsString() text?: string | null;
  @IsOptional() @IsISO8601() timestamp?: string | null;
  @IsOptional() @IsString() ip?: string | null;
  @IsOptional() @IsString() pageUrl?: string | null;
  @IsOptional() @IsString() trustedFormCertUrl?: string | null;
  @IsOptional() @IsString() jornayaLeadId?: string | null;
}

/** Channels a lead may be worked through, from its consent. */
export class ContactabilityPayload {
  @IsBoolean() phone!: boolean;
  @IsBoolean() sms!: boolean;
  @IsBoolean() email!: boolean;
}

export class TrackingPayload {
  @IsOptional() @IsString() source?: string | null;
  @IsOptional() @IsString() subsource?: string | null;
  @IsOptional() @IsString() utmSource?: string | null;
  @IsOptional() @IsString() utmMedium?: string | null;
  @IsOptional() @IsString() utmCampaign?: string | null;
  @IsOptional() @IsString() utmTerm?: string | null;
  @IsOptional() @IsString() utmContent?: string | null;
  @IsOptional() @IsString() campaignId?: string | null;
  @IsOptional() @IsString() landingPageUrl?: string | null;
  @IsOptional() @IsString() ip?: string | null;
  @IsOptional() @IsString() userAgent?: string | null;
}

/** The state of a lead as other services see it (routing, campaigns, voice, analytics keep copies). */
export class LeadPayload {
  @IsUUID('all') id!: string;
  @IsUUID('all') organizationId!: string;
  @IsUUID('all') workspaceId!: string;
  @IsUUID('all') contactId!: string;
  @IsIn(Verticals) vertical!: Vertical;
  @IsIn(LeadStatuses) status!: LeadStatus;
  @IsIn(LeadChannels) channel!: LeadChannel;
  @IsOptional() @IsUUID('all') webhookId?: string | null;
  @IsOptional() @IsUUID('all') providerId?: string | null;
  @IsOptional() @IsUUID('all') importId?: string | null;
  @IsOptional() @IsString() @MaxLength(200) externalId?: string | null;
  @IsOptional() @IsString() firstName?: string | null;
  @IsOptional() @IsString() lastName?: string | null;
  @IsOptional() @IsString() phone?: string | null;
  @IsOptional() @IsString() email?: string | null;
  @IsOptional() @IsString() address?: string | null;
  @IsOptional() @IsString() address2?: string | null;
  @IsOptional() @IsString() city?: string | null;
  @IsOptional() @IsString() state?: string | null;
  @IsOptional() @IsString() zip?: string | null;
  /** Validated vertical fields plus unknown extras the vendor sent. */
  @IsObject() attributes!: Record<string, unknown>;
  @ValidateNested() @Type(() => ConsentPayload) consent!: ConsentPayload;
  @ValidateNested() @Type(() => ContactabilityPayload) contactable!: ContactabilityPayload;
  @ValidateNested() @Type(() => TrackingPayload) tracking!: TrackingPayload;
  /** What the provider charges for it, as a decimal string, with its currency. */
  @IsOptional() @IsString() cost?: string | null;
  @IsOptional() @IsString() currency?: string | null;
  @IsOptional() @IsUUID('all') stageId?: string | null;
  @IsOptional() @IsUUID('all') assignedTo?: string | null;
  @IsInt() @Min(1) priority!: number;
  @IsOptional() @IsISO8601() followUpAt?: string | null;
  @IsString({ each: true }) tags!: string[];
  @IsOptional() @IsUUID('all') duplicateOfLeadId?: string | null;
  @IsISO8601() createdAt!: string;
  @IsISO8601() updatedAt!: string;
}

export class LeadStatusChangedPayload {
  @ValidateNested() @Type(() => LeadPayload) lead!: LeadPayload;
  @IsIn(LeadStatuses) from!: LeadStatus;
  @IsIn(LeadStatuses) to!: LeadStatus;
  @IsOptional() @IsString() reason?: string | null;
  @IsOptional() @IsString() changedBy?: string | null;
}

export class LeadUpdatedPayload {
  @ValidateNested() @Type(() => LeadPayload) lead!: LeadPayload;
  /** Names of the fields that changed. */
  @IsString({ each: true }) changed!: string[];
}

export class LeadDuplicateDetectedPayload {
  @ValidateNested() @Type(() => LeadPayload) lead!: LeadPayload;
  @IsUUID('all') originalLeadId!: string;
}

/**
 * A lead refused at intake, keyed by `requestId` (there is no lead): the intake request's id for a
 * webhook post; for an import row, the UUID v5 of the row number in the import's id as namespace.
 */
export class LeadRejectedPayload {
  @IsUUID('all') requestId!: string;
  @IsIn(LeadChannels) channel!: LeadChannel;
  @IsOptional() @IsUUID('all') webhookId?: string | null;
  @IsOptional() @IsUUID('all') providerId?: string | null;
  @IsOptional() @IsUUID('all') importId?: string | null;
  /** The refused row of the import file (1 = the first data row). */
  @IsOptional() @IsInt() @Min(1) importRow?: number | null;
  @IsString() code!: string;
  @IsString({ each: true }) reasons!: string[];
}

export class ContactPayload {
  @IsUUID('all') id!: string;
  @IsUUID('all') organizationId!: string;
  @IsOptional() @IsString() firstName?: string | null;
  @IsOptional() @IsString() lastName?: string | null;
  @IsOptional() @IsString() phone?: string | null;
  @IsOptional() @IsString() email?: string | null;
  @IsOptional() @IsString() address?: string | null;
  @IsOptional() @IsString() city?: string | null;
  @IsOptional() @IsString() state?: string | null;
  @IsOptional() @IsString() zip?: string | null;
  @IsString({ each: true }) tags!: string[];
  @IsISO8601() createdAt!: string;
  @IsISO8601() updatedAt!: string;
}

export class ContactMergedPayload {
  @ValidateNested() @Type(() => ContactPayload) contact!: ContactPayload;
  /** The contact that was merged into `contact` and no longer exists. */
  @IsUUID('all') mergedContactId!: string;
  @IsInt() @Min(0) movedLeads!: number;
}

export class ImportPayload {
  @IsUUID('all') id!: string;
  @IsUUID('all') organizationId!: string;
  @IsUUID('all') workspaceId!: string;
  @IsUUID('all') webhookId!: string;
  @IsString() fileName!: string;
  @IsIn(['queued', 'running', 'completed', 'failed', 'cancelled']) status!: string;
  @IsInt() @Min(0) processed!: number;
  @IsInt() @Min(0) accepted!: number;
  @IsInt() @Min(0) duplicates!: number;
  @IsInt() @Min(0) rejected!: number;
  /** Why a `failed` import ended (e.g. `quota_exceeded`, `malformed_csv`); null otherwise. */
  @IsOptional() @IsString() errorCode?: string | null;
}

export const LeadCreated = defineEvent({
  type: 'lead.created',
  version: 1,
  topic: Topics.ingestionLeads,
  payload: LeadPayload,
});
export const LeadUpdated = defineEvent({
  type: 'lead.updated',
  version: 1,
  topic: Topics.ingestionLeads,
  payload: LeadUpdatedPayload,
});
export const LeadStatusChanged = defineEvent({
  type: 'lead.status_changed',
  version: 1,
  topic: Topics.ingestionLeads,
  payload: LeadStatusChangedPayload,
});
export const LeadDuplicateDetected = defineEvent({
  type: 'lead.duplicate_detected',
  version: 1,
  topic: Topics.ingestionLeads,
  payload: LeadDuplicateDetectedPayload,
});
export const LeadRejected = defineEvent({
  type: 'lead.rejected',
  version: 1,
  topic: Topics.ingestionLeads,
  payload: LeadRejectedPayload,
});
export const ContactCreated = defineEvent({
  type: 'contact.created',
  version: 1,
  topic: Topics.ingestionContacts,
  payload: ContactPayload,
});
export const ContactUpdated = defineEvent({
  type: 'contact.updated',
  version: 1,
  topic: Topics.ingestionContacts,
  payload: ContactPayload,
});
export const ContactMerged = defineEvent({
  type: 'contact.merged',
  version: 1,
  topic: Topics.ingestionContacts,
  payload: ContactMergedPayload,
});
export const ImportStarted = defineEvent({
  type: 'import.started',
  version: 1,
  topic: Topics.ingestionImports,
  payload: ImportPayload,
});
export const ImportFinished = defineEvent({
  type: 'import.finished',
  version: 1,
  topic: Topics.ingestionImports,
  payload: ImportPayload,
});
