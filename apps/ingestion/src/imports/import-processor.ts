import { ImportFinished } from '@leadflow/contracts';
import { ChangeRecorder } from '@leadflow/platform/audit';
import { UnitOfWork, nowMs } from '@leadflow/platform/persistence';
import { Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { QueryRunner } from 'typeorm';
import { IntakeLimits } from '../intake/intake-limits';
import { IntakeRepository } from '../intake/intake.repository';
import { dedupScopeOf, sourceKeyOf } from '../recording/lead-source';
import { LeadBatchRepository } from '../recording/lead-batch.repository';
import type { StepTimings } from '../recording/step-timings';
import { OUT_OF_LOCK_TABLE, isConnectionError, isRetryable, sqlState } from '../recording/write-errors';
import { normalizeLead } from '@leadflow/normalization';
import { WebhooksRepository } from '../webhooks/webhooks.repository';
import type { ImportClaim } from './import-claims';
import type { BatchCounts, BatchResult, BatchRow, ImportBatch, ImportTarget } from './import-batch-recorder';
import { ImportBatchRecorder } from './import-batch-recorder';
import { rowReader } from './import-columns';
import type { ImportEntity } from './import.entity';
import { toImportPayload } from './import.view';
import { ImportFailureCode } from './imports.errors';
import { ImportsRepository } from './imports.repository';
import type { CsvRecord } from './csv-file';
import { CsvFileError, readCsvRecords } from './csv-file';
import { ImportUploadReceiver } from './import-upload.receiver';

/** Rows per batch transaction, at most. */
export const BATCH_MAX_ROWS = 1000;
/**
 * Identity lock keys per batch, at most: each is an entry in PostgreSQL's shared lock table
 * (max_locks_per_transaction × max_connections, 6,400 with the defaults, shared by every session),
 * so a batch of people with a phone and an e-mail each holds about 1,000 rows.
 */
export const BATCH_MAX_LOCK_KEYS = 1500;
const MAX_ATTEMPTS = 5;

/** The import cannot go on for now (lost claim, shutdown, database unreachable): another run resumes it. */
class RunInterrupted extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'RunInterrupted';
  }
}

/** How an import ends: completed, or failed with a reason. */
type ImportEnding =
  { status: 'completed' } | { status: 'failed'; code: ImportFailureCode; message: string; cause?: unknown };

/** The lock keys LeadBatchWriter takes for a row (phone and e-mail always, see `batchIdentities`). */
function lockKeysOf(row: BatchRow, match: ImportTarget['dedup']['match']): number {
  if (row.kind !== 'accepted') return 0;
  const { lead } = row;
  return (
    (lead.externalId && match.includes('external_id') ? 1 : 0) + (lead.phone ? 1 : 0) + (lead.email ? 1 : 0)
  );
}

function sum(a: BatchCounts, b: BatchCounts): BatchCounts {
  return {
    processed: a.processed + b.processed,
    accepted: a.accepted + b.accepted,
    duplicates: a.duplicates + b.duplicates,
    rejected: a.rejected + b.rejected,
  };
}

/**
 * Runs one claimed import from where its last committed batch ended to the end of its file:
 * reads records (streaming, from the saved byte offset), normalizes each with the webhook's
 * settings and the import's column mapping, and hands batches to ImportBatchRecorder — the next
 * batch is read and normalized while the previous one is being written. Before each batch it
 * checks the organization's monthly lead quota (the upload was checked too, but a file can hold
 * more rows than the quota leaves): once it is used up the import ends `failed` with
 * `quota_exceeded`, keeping what earlier batches stored and leaving the rest of the file unread.
 * A batch started within the quota is stored whole, so the quota can be exceeded by at most one
 * batch's new leads (like concurrent webhook posts, which are also checked before and counted
 * after they are stored). Ends the import (completed, or failed with a reason) with
 * `import.finished` and deletes its file; stops without ending it when the import was
 * cancelled, its claim was lost or the process stops.
 */
@Injectable()
export class ImportProcessor {
  private readonly logger = new Logger('ImportProcessor');

  constructor(
    private readonly uow: UnitOfWork,
    private readonly batches: LeadBatchRepository,
    private readonly imports: ImportsRepository,
    private readonly webhooks: WebhooksRepository,
    private readonly recorder: ImportBatchRecorder,
    private readonly limits: IntakeLimits,
    private readonly intake: IntakeRepository,
    private readonly changes: ChangeRecorder,
    private readonly uploads: ImportUploadReceiver,
  ) {}

  async run(claim: ImportClaim, signal: AbortSignal): Promise<void> {
    const started = await this.imports.start(claim.importId, nowMs());
    if (!started) return; // ended meanwhile (cancelled): the cancellation deleted the file
    const runner = this.batches.queryRunner();
    try {
      await runner.connect();
      await this.runClaimed(started, claim, runner, signal);
    } catch (error) {
      if (error instanceof RunInterrupted || isConnectionError(error)) {
        this.logger.warn({ err: error, importId: started.id }, 'import run interrupted; it resumes later');
      } else {
        await this.end(started, failureOf(error));
      }
    } finally {
      await runner.release();
    }
  }

  private async runClaimed(
    imported: ImportEntity,
    claim: ImportClaim,
    runner: QueryRunner,
    signal: AbortSignal,
  ): Promise<void> {
    const webhook = await this.webhooks.get({ organizationId: imported.organizationId }, imported.webhookId);
    const source = {
      providerId: null,
      webhookId: webhook.id,
      dedup: { windowHours: webhook.dedupWindowHours, match: webhook.dedupMatch, scope: webhook.dedupScope },
    };
    const target: ImportTarget = {
      importId: imported.id,
      organizationId: imported.organizationId,
      workspaceId: imported.workspaceId,
      webhookId: webhook.id,
      vertical: webhook.vertical,
      channel: 'import',
      correlationId: imported.correlationId ?? imported.id,
      dedup: { windowHours: webhook.dedupWindowHours, match: webhook.dedupMatch },
      sourceKey: sourceKeyOf(source),
      scope: dedupScopeOf(source),
    };
    const settings = {
      vertical: webhook.vertical,
      fieldMapping: imported.columnMapping.fieldMapping,
      requireConsent: webhook.requireConsent,
    };
    const read = rowReader(imported.headers, imported.columnMapping);
    const width = imported.headers.length;
    const match = target.dedup.match;
    const timings = { normalizeMs: 0, writeMs: 0, batches: 0 };
    const steps: StepTimings = {};

    const classify = (record: CsvRecord): BatchRow => {
      const { row, values, endOffset } = record;
      if (values.every((v) => v === '')) return { kind: 'blank', row, endOffset };
      if (values.length > width && values.slice(width).some((v) => v !== '')) {
        const message = `the row has ${values.length} values; the header names ${width} columns`;
        return {
          kind: 'rejected',
          row,
          endOffset,
          raw: values,
          errors: [{ field: 'row', rule: 'column_count', message }],
        };
      }
      const result = normalizeLead(read(values), settings);
      return result.ok
        ? { kind: 'accepted', row, endOffset, lead: result.lead }
        : { kind: 'rejected', row, endOffset, raw: values, errors: result.errors };
    };

    /** Batches of normalized rows; rows read before a malformed part of the file are still stored. */
    async function* batches(): AsyncGenerator<ImportBatch> {
      let rows: BatchRow[] = [];
      let keys = 0;
      let afterRow = imported.lastRow;
      let failure: unknown;
      try {
        for await (const record of readCsvRecords(imported.filePath, {
          offset: imported.resumeOffset,
          afterRow: imported.lastRow,
        })) {
          const began = performance.now();
          const row = classify(record);
          rows.push(row);
          keys += lockKeysOf(row, match);
          timings.normalizeMs += performance.now() - began;
          if (rows.length >= BATCH_MAX_ROWS || keys > BATCH_MAX_LOCK_KEYS - 3) {
            yield { afterRow, rows };
            afterRow = row.row;
            rows = [];
            keys = 0;
          }
        }
      } catch (error) {
        failure = error;
      }
      if (rows.length > 0) yield { afterRow, rows };
      if (failure !== undefined) throw failure;
    }

    const source$ = batches();
    try {
      let next = source$.next();
      for (;;) {
        const item = await next;
        if (item.done) break;
        if (signal.aborted) throw new RunInterrupted('the process is stopping');
        if (!claim.held) throw new RunInterrupted('the claim on the import was lost');
        next = source$.next(); // read and normalize the next batch while this one is written
        next.catch(() => undefined); // observed on the next turn
        if (!(await this.withinQuota(target))) {
          const { afterRow } = item.value;
          const ended = await this.end(imported, {
            status: 'failed',
            code: ImportFailureCode.QuotaExceeded,
            message:
              `The organization's monthly lead quota is used up: rows ${afterRow + 1}… were not imported ` +
              '(upgrade the plan, or import them next month)',
          });
          this.logger.warn(
            { importId: imported.id, lastRow: afterRow, processed: ended?.processed },
            'import stopped: the monthly lead quota is used up',
          );
          return;
        }
        const began = performance.now();
        const result = await this.write(runner, target, item.value, steps);
        timings.writeMs += performance.now() - began;
        if (result.kind === 'committed')
          await this.limits.countLeads(target.organizationId, result.counts.accepted);
        timings.batches += 1;
        if (result.kind === 'stopped') {
          this.logger.log({ importId: imported.id, status: result.status }, 'import stopped');
          await this.uploads.discard(imported.filePath);
          return;
        }
        if (result.kind === 'superseded')
          throw new RunInterrupted(`another run is past row ${result.lastRow}`);
      }
    } finally {
      await source$.return(undefined).catch(() => undefined);
    }
    const ended = await this.end(imported, { status: 'completed' });
    if (ended) {
      this.logger.log(
        {
          importId: imported.id,
          processed: ended.processed,
          accepted: ended.accepted,
          duplicates: ended.duplicates,
          rejected: ended.rejected,
          batches: timings.batches,
          normalizeMs: Math.round(timings.normalizeMs),
          writeMs: Math.round(timings.writeMs),
          stepsMs: Object.fromEntries(Object.entries(steps).map(([step, ms]) => [step, Math.round(ms)])),
        },
        'import completed',
      );
    }
  }

  /** Writes a batch, retrying conflicts; a batch too large for the lock table is split in two. */
  private async write(
    runner: QueryRunner,
    target: ImportTarget,
    batch: ImportBatch,
    steps: StepTimings,
  ): Promise<BatchResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.recorder.record(runner, target, batch, steps);
      } catch (error) {
        if (sqlState(error) === OUT_OF_LOCK_TABLE && batch.rows.length > 1) {
          return this.writeHalves(runner, target, batch, steps);
        }
        if (!isRetryable(error)) throw error;
        if (attempt >= MAX_ATTEMPTS) {
          throw new RunInterrupted(
            `rows ${batch.afterRow + 1}… could not be stored after ${attempt} attempts`,
            {
              cause: error,
            },
          );
        }
        this.logger.warn({ err: error, importId: target.importId, attempt }, 'import batch failed; retrying');
        await sleep(Math.min(10_000, 250 * 2 ** attempt));
      }
    }
  }

  private async writeHalves(
    runner: QueryRunner,
    target: ImportTarget,
    batch: ImportBatch,
    steps: StepTimings,
  ): Promise<BatchResult> {
    const middle = Math.ceil(batch.rows.length / 2);
    const head = { afterRow: batch.afterRow, rows: batch.rows.slice(0, middle) };
    const first = await this.write(runner, target, head, steps);
    if (first.kind !== 'committed') return first;
    const tail = { afterRow: first.lastRow, rows: batch.rows.slice(middle) };
    const second = await this.write(runner, target, tail, steps);
    if (second.kind !== 'committed') return second;
    return { ...second, counts: sum(first.counts, second.counts) };
  }

  /**
   * Whether the organization may store more leads this month; its plan is read for each batch, so
   * an upgrade during an import counts at once.
   */
  private async withinQuota(target: ImportTarget): Promise<boolean> {
    const context = await this.intake.context(target.webhookId, null);
    return this.limits.withinQuota(target.organizationId, context?.quotas ?? undefined);
  }

  /** Ends a running import with `import.finished` and deletes its file; null when it was not running any more. */
  private async end(imported: ImportEntity, ending: ImportEnding): Promise<ImportEntity | null> {
    if (ending.status === 'failed' && ending.code !== ImportFailureCode.QuotaExceeded)
      this.logger.error({ err: ending.cause, importId: imported.id }, `import failed: ${ending.message}`);
    const error = ending.status === 'failed' ? { code: ending.code, message: ending.message } : null;
    const ended = await this.uow.run(async (tx) => {
      const row = await this.imports.finish(tx, imported.id, { status: ending.status, error, now: nowMs() });
      if (row) {
        await this.changes.record(tx, {
          events: [
            {
              contract: ImportFinished,
              aggregateId: row.id,
              organizationId: row.organizationId,
              workspaceId: row.workspaceId,
              correlationId: row.correlationId ?? row.id,
              payload: toImportPayload(row),
            },
          ],
        });
      }
      return row;
    });
    await this.uploads.discard(imported.filePath);
    return ended;
  }
}

function failureOf(error: unknown): ImportEnding {
  if (error instanceof CsvFileError)
    return { status: 'failed', code: ImportFailureCode.MalformedCsv, message: error.message, cause: error };
  return {
    status: 'failed',
    code: ImportFailureCode.Internal,
    message: 'the import stopped on an internal error; rows stored so far are kept',
    cause: error,
  };
}
