import type { Page } from '@leadflow/contracts';
import { ImportFinished, ImportStarted } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { ChangeRecorder, actorOf } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { tenantScopeOf } from '@leadflow/platform/auth';
import { NotFoundError } from '@leadflow/platform/errors';
import { RequestContext } from '@leadflow/platform/observability';
import { UnitOfWork, nowMs, pageOf } from '@leadflow/platform/persistence';
import { Injectable, Logger } from '@nestjs/common';
import { stringify } from 'csv-stringify';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { validate as isUuid } from 'uuid';
import { IntakeLimits } from '../intake/intake-limits';
import { IntakeRepository } from '../intake/intake.repository';
import { WebhooksRepository } from '../webhooks/webhooks.repository';
import type { CreatedImportView, ImportView, ListImportsQuery } from './dto/import.dto';
import { escapeCsvFormula } from '../common/csv-cell';
import { CsvFileError, readCsvHeader } from './csv-file';
import type { ColumnMappingInput } from './import-columns';
import { resolveColumns } from './import-columns';
import type { ReceivedUpload, UploadedFile } from './import-upload.receiver';
import { ImportUploadReceiver } from './import-upload.receiver';
import { FinalImportStatuses, ImportEntity } from './import.entity';
import { describeRowErrors, toImportPayload, toImportView } from './import.view';
import { ImportWorker } from './import.worker';
import { ImportError, ImportErrorCode } from './imports.errors';
import { ImportsRepository } from './imports.repository';

export const ImportAuditActions = {
  created: 'import.created',
  cancelled: 'import.cancelled',
} as const;

const MAX_COLUMNS = 500;
const ERROR_REPORT_PAGE = 2000;

/** Declared types a CSV is sent with (browsers send Excel's for `.csv` on Windows). */
const CSV_TYPES = new Set([
  'text/csv',
  'text/plain',
  'application/csv',
  'text/comma-separated-values',
  'application/vnd.ms-excel',
  'application/octet-stream',
]);

/** Starts of files that are certainly not text. */
const BINARY_SIGNATURES: readonly [string, Buffer][] = [
  ['a ZIP archive (an .xlsx workbook?)', Buffer.from([0x50, 0x4b, 0x03, 0x04])],
  ['an OLE document (an .xls workbook?)', Buffer.from([0xd0, 0xcf, 0x11, 0xe0])],
  ['a PDF document', Buffer.from('%PDF')],
  ['a gzip archive', Buffer.from([0x1f, 0x8b])],
];

/** Why the upload is not a CSV, or null when it looks like one. */
function notCsvReason(file: UploadedFile): string | null {
  const type = file.mimeType.split(';')[0].trim().toLowerCase();
  if (type !== '' && !CSV_TYPES.has(type)) return `it was sent as ${type}`;
  if (!/\.(csv|txt)$/i.test(file.name) && /\.[a-z0-9]{1,5}$/i.test(file.name) && type !== 'text/csv') {
    return `${file.name} does not have a .csv name`;
  }
  for (const [what, signature] of BINARY_SIGNATURES) {
    if (file.head.subarray(0, signature.length).equals(signature)) return `it is ${what}`;
  }
  if (file.head.includes(0)) return 'it contains binary data';
  return null;
}

type FieldProblem = { field: string; rule: string; message: string };

function parseColumnMapping(
  text: string | undefined,
): { ok: true; mapping: ColumnMappingInput | undefined } | { ok: false; problem: FieldProblem } {
  if (text === undefined || text.trim() === '') return { ok: true, mapping: undefined };
  const refuse = (message: string) => ({
    ok: false as const,
    problem: { field: 'columnMapping', rule: 'json', message },
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return refuse('columnMapping must be JSON: { "<csv header>": "<canonical field>" }');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return refuse('columnMapping must be a JSON object of csv header → canonical field');
  }
  return { ok: true, mapping: parsed as ColumnMappingInput };
}

/**
 * CSV imports: accepts an upload for a webhook (its vertical, consent rule, dedup settings and
 * workspace apply; its field mapping plus the client's `columnMapping` maps the columns), queues
 * it for the ImportWorker, and reports progress, rejected rows and cancellation.
 */
@Injectable()
export class ImportsService {
  private readonly logger = new Logger('Imports');

  constructor(
    private readonly imports: ImportsRepository,
    private readonly webhooks: WebhooksRepository,
    private readonly uploads: ImportUploadReceiver,
    private readonly worker: ImportWorker,
    private readonly changes: ChangeRecorder,
    private readonly uow: UnitOfWork,
    private readonly intake: IntakeRepository,
    private readonly limits: IntakeLimits,
  ) {}

  /** Validates an upload and queues it; on any refusal the stored file is deleted and nothing is kept. */
  async create(principal: Principal, upload: ReceivedUpload, client: ClientInfo): Promise<CreatedImportView> {
    let keptPath: string | null = null;
    try {
      const created = await this.accept(principal, upload, client, (path) => (keptPath = path));
      this.worker.wake();
      return created;
    } catch (error) {
      await this.uploads
        .discard(keptPath ?? upload.file?.path ?? '')
        .catch((e: unknown) => this.logger.warn({ err: e }, 'could not delete a refused upload'));
      throw error;
    }
  }

  private async accept(
    principal: Principal,
    upload: ReceivedUpload,
    client: ClientInfo,
    kept: (path: string) => void,
  ): Promise<CreatedImportView> {
    const problems: FieldProblem[] = [];
    const webhookId = upload.webhookId?.trim() ?? '';
    if (webhookId === '')
      problems.push({ field: 'webhookId', rule: 'required', message: 'webhookId is required' });
    else if (!isUuid(webhookId))
      problems.push({ field: 'webhookId', rule: 'isUuid', message: 'webhookId must be a UUID' });
    const file = upload.file;
    if (!file)
      problems.push({ field: 'file', rule: 'required', message: 'attach the CSV as the part "file"' });
    const columnMapping = parseColumnMapping(upload.columnMapping);
    if (!columnMapping.ok) problems.push(columnMapping.problem);
    if (problems.length > 0 || !file || !columnMapping.ok)
      throw ImportError.of(ImportErrorCode.InvalidUpload, { fieldErrors: problems });

    const notCsv = notCsvReason(file);
    if (notCsv) throw ImportError.of(ImportErrorCode.NotCsv, { reason: notCsv });
    const scope = tenantScopeOf(principal);
    const webhook = await this.webhooks.get(scope, webhookId);
    if (webhook.status === 'archived')
      throw ImportError.of(ImportErrorCode.WebhookArchived, { webhookId: webhook.id });
    // Refused like a webhook post when the month's leads are used up (the rows count as they land).
    const context = await this.intake.context(webhook.id, null);
    await this.limits.assertWithinQuota(webhook.organizationId, context?.quotas ?? undefined);

    const headers = await this.headerOf(file);
    const resolution = resolveColumns(headers, webhook.fieldMapping, columnMapping.mapping);
    if (!resolution.ok)
      throw ImportError.of(ImportErrorCode.InvalidColumnMapping, { fieldErrors: resolution.issues });

    const id = upload.id;
    const path = await this.uploads.keep(file, id);
    kept(path);
    const now = nowMs();
    const entity = Object.assign(new ImportEntity(), {
      id,
      organizationId: principal.organizationId,
      workspaceId: webhook.workspaceId,
      webhookId: webhook.id,
      fileName: file.name,
      filePath: path,
      fileSize: file.bytes,
      status: 'queued',
      headers,
      columnMapping: resolution.columns,
      total: Math.max(0, file.records - 1),
      processed: 0,
      accepted: 0,
      duplicates: 0,
      rejected: 0,
      lastRow: 0,
      resumeOffset: 0,
      error: null,
      errorCode: null,
      correlationId: RequestContext.current()?.correlationId ?? null,
      createdBy: principal.id,
      startedAt: null,
      finishedAt: null,
      createdAt: now,
      updatedAt: now,
    } satisfies ImportEntity);
    await this.uow.run(async (tx) => {
      await this.imports.insert(tx, scope, entity);
      await this.changes.record(tx, {
        events: [
          {
            contract: ImportStarted,
            aggregateId: id,
            organizationId: entity.organizationId,
            workspaceId: entity.workspaceId,
            payload: toImportPayload(entity),
          },
        ],
        audit: {
          organizationId: principal.organizationId,
          actor: actorOf(principal),
          action: ImportAuditActions.created,
          target: { type: 'import', id },
          client,
          details: { webhookId: webhook.id, fileName: file.name, fileSize: file.bytes, total: entity.total },
        },
      });
    });
    return { id, status: 'queued', columns: resolution.columns.columns, total: entity.total };
  }

  /** The header row: present, named, at most 500 columns, no name twice. */
  private async headerOf(file: UploadedFile): Promise<string[]> {
    let headers: string[] | null;
    try {
      headers = await readCsvHeader(file.path);
    } catch (error) {
      if (error instanceof CsvFileError)
        throw ImportError.of(ImportErrorCode.MalformedCsv, { reason: error.message });
      throw error;
    }
    if (headers === null) throw ImportError.of(ImportErrorCode.NoHeaderRow, { reason: 'the file is empty' });
    if (headers.every((h) => h === ''))
      throw ImportError.of(ImportErrorCode.NoHeaderRow, { reason: 'the first row names no column' });
    if (headers.length > MAX_COLUMNS) {
      throw ImportError.of(ImportErrorCode.MalformedCsv, {
        reason: `the header row has ${headers.length} columns; at most ${MAX_COLUMNS} are read`,
      });
    }
    const seen = new Set<string>();
    for (const header of headers) {
      const key = header.toLowerCase();
      if (header !== '' && seen.has(key)) {
        throw ImportError.of(ImportErrorCode.InvalidUpload, {
          fieldErrors: [
            {
              field: 'file',
              rule: 'duplicate_header',
              message: `the header row names "${header.slice(0, 60)}" twice`,
            },
          ],
        });
      }
      seen.add(key);
    }
    return headers;
  }

  async list(principal: Principal, query: ListImportsQuery): Promise<Page<ImportView>> {
    const page = await this.imports.list(tenantScopeOf(principal), query);
    const now = new Date();
    return pageOf(page, (i) => toImportView(i, now));
  }

  async get(principal: Principal, id: string): Promise<ImportView> {
    return toImportView(await this.imports.get(tenantScopeOf(principal), id));
  }

  /**
   * Cancels a queued or running import: the worker stops before its next batch (the rows already
   * stored stay), `import.finished` is emitted and the file deleted. Cancelling twice is harmless;
   * a completed or failed import cannot be cancelled.
   */
  async cancel(principal: Principal, id: string, client: ClientInfo): Promise<ImportView> {
    const scope = tenantScopeOf(principal);
    const result = await this.uow.run(async (tx) => {
      const current = await this.imports.getForUpdate(tx, scope, id);
      if (!current) throw new NotFoundError('import', id);
      if (current.status === 'cancelled') return { entity: current, changed: false };
      if (FinalImportStatuses.includes(current.status))
        throw ImportError.of(ImportErrorCode.ImportFinished, { id, status: current.status });
      const now = nowMs();
      const patch = { status: 'cancelled' as const, finishedAt: now, updatedAt: now };
      await this.imports.update(tx, scope, id, patch);
      const entity = Object.assign(current, patch);
      await this.changes.record(tx, {
        events: [
          {
            contract: ImportFinished,
            aggregateId: id,
            organizationId: entity.organizationId,
            workspaceId: entity.workspaceId,
            payload: toImportPayload(entity),
          },
        ],
        audit: {
          organizationId: principal.organizationId,
          actor: actorOf(principal),
          action: ImportAuditActions.cancelled,
          target: { type: 'import', id },
          client,
          details: { processed: entity.processed, accepted: entity.accepted, rejected: entity.rejected },
        },
      });
      return { entity, changed: true };
    });
    if (result.changed) {
      await this.uploads
        .discard(result.entity.filePath)
        .catch((error: unknown) =>
          this.logger.warn({ err: error, importId: id }, 'could not delete the file of a cancelled import'),
        );
    }
    return toImportView(result.entity);
  }

  /**
   * The rejected rows as CSV, streamed page by page from the database: `row,errors,<the file's
   * columns>`, each row with its reasons and its values as read.
   */
  async errorReport(principal: Principal, id: string): Promise<{ fileName: string; csv: Readable }> {
    const scope = tenantScopeOf(principal);
    const imported = await this.imports.get(scope, id);
    const imports = this.imports;
    async function* rows(): AsyncGenerator<string[]> {
      // The file's headers and cells are the vendor's: a spreadsheet must not run them as formulas.
      yield ['row', 'errors', ...imported.headers].map(escapeCsvFormula);
      let after = 0;
      for (;;) {
        const page = await imports.rejectionsAfter(scope, imported.id, after, ERROR_REPORT_PAGE);
        for (const r of page) {
          yield [String(r.rowNumber), describeRowErrors(r.errors), ...r.raw].map(escapeCsvFormula);
        }
        if (page.length < ERROR_REPORT_PAGE) return;
        after = page[page.length - 1].rowNumber;
      }
    }
    const csv = stringify();
    pipeline(Readable.from(rows()), csv).catch((error: unknown) =>
      this.logger.warn({ err: error, importId: id }, 'the error report stopped'),
    );
    const base = imported.fileName.replace(/\.(csv|txt)$/i, '').replace(/[^\w.-]+/g, '_') || 'import';
    return { fileName: `${base}-errors.csv`, csv };
  }
}
