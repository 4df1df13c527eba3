import { LeadRejected } from '@leadflow/contracts';
import type { OutgoingEvent } from '@leadflow/platform/messaging';
import { OutboxWriter } from '@leadflow/platform/messaging';
import { Injectable } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import { v5 as uuidv5 } from 'uuid';
import { IntakeErrorCode } from '../intake/intake.errors';
import type { FieldIssue, NormalizedLead } from '@leadflow/normalization';
import type { BatchTarget, LeadToStore } from '../recording/lead-batch-writer';
import { LeadBatchWriter } from '../recording/lead-batch-writer';
import type { RowOutcome } from '../recording/lead-batch-plan';
import { LeadBatchRepository } from '../recording/lead-batch.repository';
import type { StepTimings } from '../recording/step-timings';
import { timed } from '../recording/step-timings';
import { ImportsRepository } from './imports.repository';

/** One data row of a batch, as the reader and normalization left it. */
export type BatchRow =
  | { kind: 'accepted'; row: number; endOffset: number; lead: NormalizedLead }
  | { kind: 'rejected'; row: number; endOffset: number; errors: FieldIssue[]; raw: string[] }
  /** A row with no value at all (a spreadsheet's trailing `,,,`): skipped, not counted. */
  | { kind: 'blank'; row: number; endOffset: number };

/** Consecutive rows: the first follows `afterRow`, the last committed row before the batch. */
export interface ImportBatch {
  afterRow: number;
  rows: BatchRow[];
}

/** The import a batch belongs to and the webhook settings its leads are stored with. */
export interface ImportTarget extends BatchTarget {
  importId: string;
  correlationId: string;
  /** Whose external ids are unique together (`webhook:<id>`: imports have no provider). */
  sourceKey: string;
}

export interface BatchCounts {
  processed: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

export type BatchResult =
  | { kind: 'committed'; counts: BatchCounts; lastRow: number; endOffset: number }
  /** The import is no longer running (cancelled): nothing of the batch was stored. */
  | { kind: 'stopped'; status: string }
  /** Another run already committed past `afterRow` (this run lost its claim): nothing stored. */
  | { kind: 'superseded'; lastRow: number };

/**
 * Stores one batch of an import in one transaction on the import's own connection, with the same
 * outcome for every row as if the rows had been posted one by one in file order:
 *
 * 1. locks the import's row and checks it is still running and that the batch follows the last
 *    committed row (a resumed or competing run never stores a row twice; the unique index
 *    `leads_import_row` is the last guard);
 * 2. stores the accepted rows with LeadBatchWriter — under the same identity locks webhook posts
 *    take, so a post of the same person waits for the batch (and the batch for it). The batch
 *    size is bounded by its number of lock keys (see ImportProcessor);
 * 3. COPYs the rejected rows and their `lead.rejected` events, and advances the import's counters
 *    and resume position — all committed together.
 */
@Injectable()
export class ImportBatchRecorder {
  constructor(
    private readonly writer: LeadBatchWriter,
    private readonly batches: LeadBatchRepository,
    private readonly imports: ImportsRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async record(
    runner: QueryRunner,
    target: ImportTarget,
    batch: ImportBatch,
    timings: StepTimings,
  ): Promise<BatchResult> {
    const last = batch.rows[batch.rows.length - 1];
    if (!last) throw new Error('an import batch needs at least one row');
    return this.batches.transaction(runner, () => this.write(runner, target, batch, last, timings), {
      keep: (result) => result.kind === 'committed',
      timings,
    });
  }

  private async write(
    runner: QueryRunner,
    target: ImportTarget,
    batch: ImportBatch,
    last: BatchRow,
    timings: StepTimings,
  ): Promise<BatchResult> {
    const progress = await timed(timings, 'progressLock', () =>
      this.imports.lockProgress(runner, target.importId),
    );
    if (!progress || progress.status !== 'running')
      return { kind: 'stopped', status: progress?.status ?? 'gone' };
    if (progress.last_row !== batch.afterRow) return { kind: 'superseded', lastRow: progress.last_row };

    const receivedAt = new Date(Date.now());
    const accepted: LeadToStore[] = [];
    const rejected: Extract<BatchRow, { kind: 'rejected' }>[] = [];
    for (const row of batch.rows) {
      if (row.kind === 'accepted') {
        accepted.push({
          row: row.row,
          lead: row.lead,
          sourceKey: target.sourceKey,
          idempotencyKey: null,
          providerId: null,
          requestId: null,
          importId: target.importId,
          importRow: row.row,
          cost: null,
          currency: null,
          correlationId: target.correlationId,
        });
      } else if (row.kind === 'rejected') rejected.push(row);
    }

    const outcomes: RowOutcome[] =
      accepted.length > 0
        ? (await this.writer.write(runner, target, accepted, receivedAt, timings)).outcomes
        : [];
    if (rejected.length > 0) {
      const client = await this.batches.clientOf(runner);
      await timed(timings, 'copyRejections', () =>
        this.imports.copyRejections(client, target.importId, target.organizationId, rejected),
      );
      await timed(timings, 'outbox', () =>
        this.outbox.copyForNewAggregates(client, rejectionEvents(target, rejected, receivedAt)),
      );
    }

    const counts: BatchCounts = {
      processed: accepted.length + rejected.length,
      accepted: outcomes.filter((o) => o.kind === 'stored' && o.status === 'new').length,
      duplicates: outcomes.filter((o) => o.kind === 'replayed' || o.status === 'duplicate').length,
      rejected: rejected.length,
    };
    await timed(timings, 'progressUpdate', () =>
      this.imports.advanceProgress(runner, target.importId, counts, last, receivedAt),
    );
    return { kind: 'committed', counts, lastRow: last.row, endOffset: last.endOffset };
  }
}

/**
 * `lead.rejected` for each refused row, keyed by an id only that row of that import has: a
 * retried batch (its first attempt rolled back) emits the same ids, and no other transaction
 * writes events for them.
 */
function* rejectionEvents(
  target: ImportTarget,
  rows: readonly Extract<BatchRow, { kind: 'rejected' }>[],
  occurredAt: Date,
): Generator<OutgoingEvent<object>> {
  for (const r of rows) {
    const requestId = uuidv5(String(r.row), target.importId);
    yield {
      contract: LeadRejected,
      aggregateId: requestId,
      organizationId: target.organizationId,
      workspaceId: target.workspaceId,
      correlationId: target.correlationId,
      occurredAt,
      payload: {
        requestId,
        channel: 'import',
        webhookId: target.webhookId,
        providerId: null,
        importId: target.importId,
        importRow: r.row,
        code: IntakeErrorCode.InvalidLead,
        reasons: r.errors.slice(0, 50).map((e) => `${e.field}: ${e.message}`),
      },
    };
  }
}
