import { MetricsService, RequestContext, newId } from '@leadflow/platform/observability';
import { Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { QueryRunner } from 'typeorm';
import type { Counter, Gauge } from 'prom-client';
import { IngestionEnv } from '../config/env.schema';
import type { LeadEntity } from '../leads/lead.entity';
import type { NormalizedLead } from '@leadflow/normalization';
import type { PriorLead, RowOutcome } from '../recording/lead-batch-plan';
import type { BatchTarget, LeadToStore } from '../recording/lead-batch-writer';
import { LeadBatchWriter } from '../recording/lead-batch-writer';
import { LeadBatchRepository } from '../recording/lead-batch.repository';
import { isRetryable } from '../recording/write-errors';
import { IntakeError, IntakeErrorCode } from './intake.errors';
import { IntakeLimits } from './intake-limits';
import type { IntakeRequestEntity } from './intake-request.entity';
import { IntakeRepository } from './intake.repository';

/** One accepted post, ready to be stored. */
export interface IntakeItem {
  target: BatchTarget;
  lead: NormalizedLead;
  /** The lead's origin: provider, source key, idempotency key, cost; `requestId` is the request log row. */
  source: Omit<LeadToStore, 'row' | 'lead' | 'correlationId'> & { requestId: string };
  /** The request log row, without its outcome (known once the batch is planned). */
  request: Omit<IntakeRequestEntity, 'outcome' | 'httpStatus' | 'code' | 'errors' | 'leadId'>;
}

export type RecordResult =
  /** A new lead (and maybe a new contact). */
  | { kind: 'created'; lead: LeadEntity }
  /** The same person and vertical within the window: stored as a duplicate of `originalLeadId`. */
  | { kind: 'duplicate'; lead: LeadEntity; originalLeadId: string }
  /** The same external id from the same source, or the same Idempotency-Key: nothing new stored. */
  | { kind: 'replayed'; prior: PriorLead };

interface Pending {
  item: IntakeItem;
  correlationId: string | undefined;
  /** What the post holds of the queue's byte budget (its raw body). */
  bytes: number;
  /** Refuses the post if it is still waiting when its deadline comes. */
  deadline: NodeJS.Timeout;
  resolve: (result: RecordResult) => void;
  reject: (error: unknown) => void;
}

const MAX_ATTEMPTS = 4;

/**
 * Stores accepted webhook posts with group commit. Posts of one webhook that arrive while earlier
 * ones are being written wait and share the next transaction: one set of identity locks, look-ups
 * and COPYs (LeadBatchWriter) and one commit for all of them, instead of a dozen statements and a
 * commit each. Under light load a post is written at once, alone; under heavy load the batches
 * grow to `INTAKE_BATCH_MAX_LEADS`, and `INTAKE_WRITERS` batches are written at the same time.
 *
 * Each post's promise settles only after its batch committed (or failed): a 201 still means the
 * lead, contact, request log and outbox events are stored. The outcome of every post is what it
 * would have been had the posts of a batch arrived one after another in their order. A batch that
 * fails for a reason other than a conflict (retried) is written again post by post, so that one
 * bad post cannot fail the others.
 */
@Injectable()
export class IntakeWriter {
  private readonly logger = new Logger('IntakeWriter');
  /** Waiting posts by webhook, the longest-waiting webhook first. */
  private readonly queue = new Map<string, Pending[]>();
  /** Posts and body bytes waiting in `queue` (not those being written). */
  private waitingPosts = 0;
  private waitingBytes = 0;
  private writing = 0;
  private pumpScheduled = false;
  private readonly waiting: Gauge;
  private readonly refused: Counter<'reason'>;

  constructor(
    private readonly batches: LeadBatchRepository,
    private readonly requests: IntakeRepository,
    private readonly writer: LeadBatchWriter,
    private readonly limits: IntakeLimits,
    private readonly env: IngestionEnv,
    metrics: MetricsService,
  ) {
    this.waiting = metrics.gauge('intake_queue_posts', 'Webhook posts waiting for their batch to be written');
    this.refused = metrics.counter(
      'intake_refused_overload_total',
      'Webhook posts refused with 503 because the write queue was full or their deadline passed',
      ['reason'],
    );
  }

  /**
   * Queues a post for the next batch of its webhook. The queue is bounded (INTAKE_QUEUE_MAX_POSTS,
   * INTAKE_QUEUE_MAX_BYTES): when the database cannot keep up, a post is refused at once with 503
   * and Retry-After rather than held in memory; one still waiting INTAKE_POST_DEADLINE_MS after it
   * arrived is taken out and refused the same way. Either way nothing of it was stored.
   */
  store(item: IntakeItem): Promise<RecordResult> {
    const bytes = item.request.rawBodyBytes ?? 0;
    if (
      this.waitingPosts + 1 > this.env.INTAKE_QUEUE_MAX_POSTS ||
      this.waitingBytes + bytes > this.env.INTAKE_QUEUE_MAX_BYTES
    ) {
      this.refused.inc({ reason: 'queue_full' });
      return Promise.reject(IntakeError.of(IntakeErrorCode.IntakeOverloaded));
    }
    return new Promise((resolve, reject) => {
      const pending: Pending = {
        item,
        correlationId: RequestContext.current()?.correlationId,
        bytes,
        deadline: setTimeout(() => this.expire(pending), this.env.INTAKE_POST_DEADLINE_MS),
        resolve,
        reject,
      };
      pending.deadline.unref();
      this.waitingPosts++;
      this.waitingBytes += bytes;
      this.waiting.set(this.waitingPosts);
      const waiting = this.queue.get(item.target.webhookId);
      if (waiting) waiting.push(pending);
      else this.queue.set(item.target.webhookId, [pending]);
      this.schedulePump();
    });
  }

  /** Posts waiting to be written now (a gauge's reading). */
  get backlog(): { posts: number; bytes: number } {
    return { posts: this.waitingPosts, bytes: this.waitingBytes };
  }

  /** A post past its deadline before its batch started: out of the queue, refused. */
  private expire(pending: Pending): void {
    const webhookId = pending.item.target.webhookId;
    const waiting = this.queue.get(webhookId);
    const at = waiting?.indexOf(pending) ?? -1;
    if (!waiting || at < 0) return; // already in a batch: the statement timeout bounds it
    waiting.splice(at, 1);
    if (waiting.length === 0) this.queue.delete(webhookId);
    this.released([pending]);
    this.refused.inc({ reason: 'deadline' });
    pending.reject(
      IntakeError.of(IntakeErrorCode.IntakeTimeout, { deadlineMs: this.env.INTAKE_POST_DEADLINE_MS }),
    );
  }

  /** Posts leave the queue (into a batch, or refused). */
  private released(posts: Pending[]): void {
    for (const pending of posts) {
      clearTimeout(pending.deadline);
      this.waitingPosts--;
      this.waitingBytes -= pending.bytes;
    }
    this.waiting.set(this.waitingPosts);
  }

  /** Starts batches on the next turn, so that posts parsed in the same turn share one. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.writing < this.env.INTAKE_WRITERS && this.queue.size > 0) {
      const [webhookId, waiting] = this.queue.entries().next().value as [string, Pending[]];
      const batch = waiting.splice(0, this.env.INTAKE_BATCH_MAX_LEADS);
      this.released(batch);
      // The webhook goes to the back of the line: one busy webhook cannot starve the others.
      this.queue.delete(webhookId);
      if (waiting.length > 0) this.queue.set(webhookId, waiting);
      this.writing++;
      // Outside any request's context: the batch serves several requests.
      const id = newId();
      void RequestContext.run({ requestId: id, correlationId: id }, () => this.flush(batch)).finally(() => {
        this.writing--;
        this.pump();
      });
    }
  }

  private async flush(batch: Pending[]): Promise<void> {
    try {
      const results = await this.writeWithRetries(batch);
      const created = results.filter((r) => r.kind === 'created').length;
      // Counted before anyone is answered: a client's next post sees this one in the quota.
      if (created > 0) {
        await this.limits.countLeads(
          batch[0].item.target.organizationId,
          created,
          batch[0].item.request.receivedAt,
        );
      }
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
      this.logger.warn(
        { err: error, posts: batch.length },
        'intake batch failed; storing its posts one by one',
      );
      for (const pending of batch) await this.flush([pending]);
    }
  }

  private async writeWithRetries(batch: Pending[]): Promise<RecordResult[]> {
    for (let attempt = 1; ; attempt++) {
      const runner = this.batches.queryRunner();
      try {
        await runner.connect();
        return await this.batches.transaction(runner, () => this.write(runner, batch));
      } catch (error) {
        if (!isRetryable(error) || attempt >= MAX_ATTEMPTS) throw error;
        await sleep(10 * 2 ** attempt);
      } finally {
        await runner.release();
      }
    }
  }

  private async write(runner: QueryRunner, batch: Pending[]): Promise<RecordResult[]> {
    const target = batch[0].item.target;
    const rows: LeadToStore[] = batch.map((p, row) => ({
      ...p.item.source,
      row,
      lead: p.item.lead,
      correlationId: p.correlationId,
    }));
    const stored = await this.writer.write(runner, target, rows, new Date(Date.now()));
    const results = stored.outcomes.map((outcome) => resultOf(outcome, stored.leads));
    await this.requests.copyRequests(
      await this.batches.clientOf(runner),
      batch.map(({ item: { request } }, i) => {
        const result = results[i];
        return {
          request,
          outcome: result.kind === 'created' ? 'accepted' : 'duplicate',
          httpStatus: result.kind === 'created' ? 201 : 200,
          code: result.kind === 'created' ? null : result.kind,
          leadId: result.kind === 'replayed' ? result.prior.leadId : result.lead.id,
        };
      }),
    );
    return results;
  }
}

function resultOf(outcome: RowOutcome, leads: ReadonlyMap<number, LeadEntity>): RecordResult {
  if (outcome.kind === 'replayed') return { kind: 'replayed', prior: outcome.prior };
  const lead = leads.get(outcome.row)!;
  return outcome.originalLeadId
    ? { kind: 'duplicate', lead, originalLeadId: outcome.originalLeadId }
    : { kind: 'created', lead };
}
