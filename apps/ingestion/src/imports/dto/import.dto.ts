import { PageQuery } from '@leadflow/platform/persistence';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import type { ImportStatus } from '../import.entity';
import { ImportStatuses } from '../import.entity';

export class ListImportsQuery extends PageQuery {
  @IsOptional()
  @IsIn(ImportStatuses)
  status?: ImportStatus;

  @IsOptional()
  @IsUUID('all')
  webhookId?: string;

  @IsOptional()
  @IsUUID('all')
  workspaceId?: string;
}

/** An import and its progress. */
export interface ImportView {
  id: string;
  status: ImportStatus;
  fileName: string;
  fileSize: number;
  webhookId: string;
  workspaceId: string;
  /** Each CSV header's canonical field; null: not a canonical field (kept in the lead's `extra`) or ignored. */
  columns: Record<string, string | null>;
  /** Data rows: counted at upload, exact once completed (null when it could not be counted). */
  total: number | null;
  processed: number;
  /** Stored as new leads. */
  accepted: number;
  /** Stored as duplicates of recent leads, or not stored at all (an external id already imported). */
  duplicates: number;
  /** Refused rows; `GET /api/v1/imports/{id}/errors` lists them with their reasons. */
  rejected: number;
  /** Rows per second since the import started (null before it started). */
  ratePerSecond: number | null;
  /** Seconds left at that rate while running (0 once completed, null when unknown). */
  etaSeconds: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** Why a failed import ended (`failed` only). */
  error: string | null;
  /** The same as a stable code: `quota_exceeded`, `malformed_csv` or `internal_error`. */
  errorCode: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CreatedImportView {
  id: string;
  status: 'queued';
  columns: Record<string, string | null>;
  total: number | null;
}
