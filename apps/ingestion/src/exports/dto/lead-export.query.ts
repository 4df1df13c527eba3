import type { LeadStatus, Vertical } from '@leadflow/contracts';
import { LeadStatuses, Verticals } from '@leadflow/contracts';
import { IsIn, IsISO8601, IsOptional, IsUUID } from 'class-validator';

/** Which leads an export holds (all filters optional; the caller's workspaces only). */
export class LeadExportQuery {
  @IsOptional()
  @IsIn(LeadStatuses)
  status?: LeadStatus;

  @IsOptional()
  @IsUUID('all')
  workspaceId?: string;

  @IsOptional()
  @IsIn(Verticals)
  vertical?: Vertical;

  @IsOptional()
  @IsUUID('all')
  providerId?: string;

  @IsOptional()
  @IsUUID('all')
  webhookId?: string;

  /** Created at or after (ISO 8601). */
  @IsOptional()
  @IsISO8601({ strict: true })
  createdFrom?: string;

  /** Created before (ISO 8601); default: when the export starts. */
  @IsOptional()
  @IsISO8601({ strict: true })
  createdTo?: string;
}
