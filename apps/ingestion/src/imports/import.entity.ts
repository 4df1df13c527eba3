import type { ValueTransformer } from 'typeorm';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ImportColumns } from './import-columns';
import type { ImportFailureCode } from './imports.errors';

export const ImportStatuses = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type ImportStatus = (typeof ImportStatuses)[number];

/** Statuses an import never leaves. */
export const FinalImportStatuses: readonly ImportStatus[] = ['completed', 'failed', 'cancelled'];

/** `bigint` columns hold byte counts well below 2^53: read them as numbers. */
const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/** One CSV upload and its progress; the file lives under IMPORT_DIR until the import ends. */
@Entity({ name: 'imports' })
export class ImportEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId!: string;
  @Column('uuid', { name: 'webhook_id' }) webhookId!: string;
  /** The name the client gave the file (shown back, never used as a path). */
  @Column('text', { name: 'file_name' }) fileName!: string;
  @Column('text', { name: 'file_path' }) filePath!: string;
  @Column('bigint', { name: 'file_size', transformer: bigintAsNumber }) fileSize!: number;
  @Column('text') status!: ImportStatus;
  /** The header row as read (trimmed, BOM removed), in file order. */
  @Column('text', { array: true }) headers!: string[];
  /** Each header's canonical field (null: kept in `extra`) and the mapping rows are normalized with. */
  @Column('jsonb', { name: 'column_mapping' }) columnMapping!: ImportColumns;
  /** Data rows, counted while the file was uploaded; exact once the import completed. */
  @Column('integer', { nullable: true }) total!: number | null;
  @Column('integer') processed!: number;
  @Column('integer') accepted!: number;
  @Column('integer') duplicates!: number;
  @Column('integer') rejected!: number;
  /** The last data row a committed batch covered (rows are numbered from 1 after the header). */
  @Column('integer', { name: 'last_row' }) lastRow!: number;
  /** Byte offset in the file just after `lastRow`: where a resumed run reads on. */
  @Column('bigint', { name: 'resume_offset', transformer: bigintAsNumber }) resumeOffset!: number;
  /** Why a failed import ended, for people. */
  @Column('text', { nullable: true }) error!: string | null;
  /** Why a failed import ended, for programs (`ImportFailureCode`). */
  @Column('text', { name: 'error_code', nullable: true }) errorCode!: ImportFailureCode | null;
  @Column('text', { name: 'correlation_id', nullable: true }) correlationId!: string | null;
  @Column('text', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @Column('timestamptz', { name: 'started_at', nullable: true }) startedAt!: Date | null;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt!: Date | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

/** A row the import refused: its number, why, and its values as read. */
@Entity({ name: 'import_rejections' })
export class ImportRejectionEntity {
  @PrimaryColumn('uuid', { name: 'import_id' }) importId!: string;
  @PrimaryColumn('integer', { name: 'row_number' }) rowNumber!: number;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('jsonb') errors!: { field: string; rule: string; message: string }[];
  /** The row's values in file order. */
  @Column('jsonb') raw!: string[];
}
