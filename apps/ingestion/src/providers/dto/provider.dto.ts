import { IsOmittable } from '@leadflow/platform/errors';
import { PageQuery } from '@leadflow/platform/persistence';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { CostPerLeadPattern, normalizeCostPerLead } from '../cost-per-lead';

class ProviderSettingsDto {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  companyName?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  contactName?: string | null;

  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  contactEmail?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(40)
  contactPhone?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(4000)
  notes?: string | null;

  /**
   * The workspaces this provider serves (it may post only to their webhooks); null: the whole
   * organization, which only an organization-wide member may set. A workspace-limited member's
   * providers default to, and must stay within, that member's workspaces.
   */
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  workspaceIds?: string[] | null;

  /** Webhooks this provider may post to; empty or absent: all of its workspaces' webhooks. */
  @IsOmittable()
  @IsUUID('all', { each: true })
  @ArrayUnique()
  @ArrayMaxSize(500)
  allowedWebhookIds?: string[];

  /** Requests per hour over all webhooks (default 1000). */
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  hourlyLimit?: number;

  /**
   * What one lead from this provider costs (ROI reports): a JSON number or a decimal string, at
   * least 0, at most 2 decimals and 10 digits before the point; stored and answered as "12.50".
   * null clears it.
   */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => normalizeCostPerLead(value))
  @Matches(CostPerLeadPattern, {
    message:
      'costPerLead must be an amount of at least 0 with at most 2 decimals and 10 digits before the point, such as 12.5 or "12.50"',
  })
  costPerLead?: string | null;

  @IsOmittable()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as USD' })
  currency?: string;
}

export class CreateProviderDto extends ProviderSettingsDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;
}

export class UpdateProviderDto extends ProviderSettingsDto {
  @IsOmittable()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  /** An inactive provider's posts are refused (403). */
  @IsOmittable()
  @IsBoolean()
  active?: boolean;
}

export class ListProvidersQuery extends PageQuery {
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  active?: boolean;
}

export class ProviderUsageQuery {
  /** Start (inclusive), ISO 8601; default 24 hours ago. */
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** End (exclusive), ISO 8601; default now. */
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export interface ProviderView {
  id: string;
  name: string;
  companyName: string | null;
  contactName: string | null;
  contactEmail: string | null;
  contactPhone: string | null;
  notes: string | null;
  keyHint: string;
  /** null: organization-wide. */
  workspaceIds: string[] | null;
  /** Of the webhooks the caller holds (a workspace-limited caller sees only its own). */
  allowedWebhookIds: string[];
  hourlyLimit: number;
  costPerLead: string | null;
  currency: string;
  active: boolean;
  lastUsedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CreatedProviderView extends ProviderView {
  /** Send as `X-Provider-Key` with `X-Provider-Id`; shown only here and on rotation. */
  apiKey: string;
}

export interface ProviderUsageRow {
  webhookId: string;
  hour: string;
  requests: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}
