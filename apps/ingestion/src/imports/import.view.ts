import type { ImportPayload } from '@leadflow/contracts';
import type { ImportView } from './dto/import.dto';
import type { ImportEntity } from './import.entity';

export function toImportView(i: ImportEntity, now: Date = new Date()): ImportView {
  const end = i.finishedAt ?? now;
  const seconds = i.startedAt ? (end.getTime() - i.startedAt.getTime()) / 1000 : 0;
  const rate = i.startedAt && seconds > 0 ? i.processed / seconds : null;
  let eta: number | null = null;
  if (i.status === 'completed') eta = 0;
  else if (i.status === 'running' && rate && i.total !== null)
    eta = Math.ceil(Math.max(0, i.total - i.processed) / rate);
  return {
    id: i.id,
    status: i.status,
    fileName: i.fileName,
    fileSize: i.fileSize,
    webhookId: i.webhookId,
    workspaceId: i.workspaceId,
    columns: i.columnMapping.columns,
    total: i.total,
    processed: i.processed,
    accepted: i.accepted,
    duplicates: i.duplicates,
    rejected: i.rejected,
    ratePerSecond: rate === null ? null : Math.round(rate * 10) / 10,
    etaSeconds: eta,
    startedAt: i.startedAt?.toISOString() ?? null,
    finishedAt: i.finishedAt?.toISOString() ?? null,
    error: i.error,
    errorCode: i.errorCode,
    createdAt: i.createdAt.toISOString(),
    updatedAt: i.updatedAt.toISOString(),
  };
}

export function toImportPayload(i: ImportEntity): ImportPayload {
  return {
    id: i.id,
    organizationId: i.organizationId,
    workspaceId: i.workspaceId,
    webhookId: i.webhookId,
    fileName: i.fileName,
    status: i.status,
    processed: i.processed,
    accepted: i.accepted,
    duplicates: i.duplicates,
    rejected: i.rejected,
    errorCode: i.errorCode,
  };
}

/** How the error report spells a row's problems: `field: message (rule)`, separated by ` | `. */
export function describeRowErrors(
  errors: readonly { field: string; rule: string; message: string }[],
): string {
  return errors.map((e) => `${e.field}: ${e.message} (${e.rule})`).join(' | ');
}
