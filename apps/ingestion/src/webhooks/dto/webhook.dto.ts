import { IsOmittable } from '@leadflow/platform/errors';
import type { IntakeOutcome, Vertical } from '@leadflow/contracts';
import { IntakeOutcomes, Verticals } from '@leadflow/contracts';
import { PageQuery } from '@leadflow/platform/persistence';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import type { FieldMapping } from '@leadflow/normalization';
import type { DedupMatchKey, DedupScope, WebhookStatus } from '../webhook.entity';
import { DedupMatchKeys, DedupScopes } from '../webhook.entity';

/** Settings a webhook shares between create and update. */
class WebhookSettingsDto {
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  /** `{ "<vendor field or dotted path>": "<canonical field>" | { field, transforms } }`. */
  @IsOmittable()
  @IsObject()
  fieldMapping?: FieldMapping;

  /** A repeat of the same person and vertical within this many hours is a duplicate (0: never). */
  @IsOmittable()
  @IsInt()
  @Min(0)
  @Max(8760)
  dedupWindowHours?: number;

  /**
   * Which identifiers make a repeat of the same person a duplicate: `phone`, `email` (the contact is
   * always found by phone, then e-mail); `external_id` makes a vendor's repeat post idempotent.
   */
  @IsOmittable()
  @IsIn(DedupMatchKeys, { each: true })
  @ArrayUnique()
  @ArrayMaxSize(3)
  dedupMatch?: DedupMatchKey[];

  /** `webhook`: people are de-duplicated per webhook; `organization`: across all of them. */
  @IsOmittable()
  @IsIn(DedupScopes)
  dedupScope?: DedupScope;

  /** Shorthand for `rateLimit` per 60-second window. */
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(100000)
  rateLimitPerMinute?: number;

  /** Requests allowed per `rateWindowSeconds` (default 100 per 60 s). */
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(1000000)
  rateLimit?: number;

  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(86400)
  rateWindowSeconds?: number;

  /** Posts must carry a valid `LeadFlow-Signature` (a provider key alone is not enough). */
  @IsOmittable()
  @IsBoolean()
  requireSignature?: boolean;

  /** Leads without granted consent are refused (422) instead of stored as not contactable. */
  @IsOmittable()
  @IsBoolean()
  requireConsent?: boolean;
}

export class CreateWebhookDto extends WebhookSettingsDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @IsUUID('all')
  workspaceId!: string;

  @IsIn(Verticals)
  vertical!: Vertical;
}

export class UpdateWebhookDto extends WebhookSettingsDto {
  @IsOmittable()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  /** `paused` answers vendors 423 and stores nothing. */
  @IsOmittable()
  @IsIn(['active', 'paused'])
  status?: 'active' | 'paused';
}

export class ListWebhooksQuery extends PageQuery {
  @IsOptional()
  @IsUUID('all')
  workspaceId?: string;

  @IsOptional()
  @IsIn(['active', 'paused', 'archived'])
  status?: WebhookStatus;

  @IsOptional()
  @IsIn(Verticals)
  vertical?: Vertical;
}

export class ListIntakeRequestsQuery extends PageQuery {
  @IsOptional()
  @IsIn(IntakeOutcomes)
  outcome?: IntakeOutcome;

  /** Posts by this provider (authenticated with its key). */
  @IsOptional()
  @IsUUID('all')
  providerId?: string;

  /** Received at or after (ISO 8601). */
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** Received before (ISO 8601). */
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class RotateSecretDto {
  /** Hours the old secret keeps working (default: the service's WEBHOOK_SECRET_GRACE_HOURS). */
  @IsOmittable()
  @IsInt()
  @Min(0)
  @Max(720)
  graceHours?: number;
}

export interface WebhookView {
  id: string;
  workspaceId: string;
  name: string;
  description: string | null;
  vertical: Vertical;
  status: WebhookStatus;
  /** Where vendors post leads. */
  url: string;
  requireSignature: boolean;
  requireConsent: boolean;
  rateLimit: number;
  rateWindowSeconds: number;
  dedupWindowHours: number;
  dedupMatch: DedupMatchKey[];
  dedupScope: DedupScope;
  fieldMapping: FieldMapping;
  /** Until when the previous secret is still accepted after a rotation. */
  previousSecretValidUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CreatedWebhookView extends WebhookView {
  /** The signing secret, shown only here and on rotation. */
  secret: string;
}

export interface IntakeRequestView {
  id: string;
  providerId: string | null;
  outcome: IntakeOutcome;
  httpStatus: number;
  code: string | null;
  errors: { field: string; rule: string; message: string }[];
  leadId: string | null;
  contentType: string | null;
  ip: string | null;
  receivedAt: string;
}

/** One logged post in full: what the vendor sent, exactly, and what became of it. */
export interface IntakeRequestDetailView extends IntakeRequestView {
  webhookId: string;
  idempotencyKey: string | null;
  userAgent: string | null;
  /**
   * The body as received: text when it is valid UTF-8, else base64 (see `rawBodyEncoding`); only
   * its first 8 KB for a refused post (`rawBodyTruncated`), null for a 401 and once older than the
   * body retention (INTAKE_REQUEST_BODY_RETENTION_DAYS).
   */
  rawBody: string | null;
  rawBodyEncoding: 'utf8' | 'base64' | null;
  /** The body's size as received, in bytes (null for posts logged before it was recorded). */
  rawBodyBytes: number | null;
  rawBodyTruncated: boolean;
}
