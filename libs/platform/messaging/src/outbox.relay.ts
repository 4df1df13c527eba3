import type { Logger } from '@nestjs/common';
import type { MetricsService } from '@leadflow/platform/observability';
import { quoteIdent } from '@leadflow/platform/persistence';
import type { Message, PartitionMetadata, Producer, TopicMessages } from 'kafkajs';
import { CompressionTypes, Partitioners } from 'kafkajs';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { deadLetterOutboxRow } from './dead-letters';
import type { PartitionCounts } from './kafka-admin';
import { outboxChannel } from './messaging-tables';

export interface OutboxRelayOptions {
  schema: string;
  /** For the relay's own connection, which holds the lease and LISTENs. */
  databaseUrl: string;
  batchSize: number;
  pollIntervalMs: number;
  retentionHours: number;
  /** `OUTBOX_MAX_BATCH_BYTES`: bytes (value + key, uncompressed) of one send at most. */
  maxBatchBytes?: number;
  /**
   * Partition counts of topics, for isolating a row the broker refuses without disturbing other
   * partitions (see `isolate`). Without it a refused batch is retried as a transient failure.
   */
  partitionCounts?: PartitionCounts;
}

/** `OUTBOX_MAX_BATCH_BYTES`'s default. */
export const DEFAULT_MAX_BATCH_BYTES = 512 * 1024;

export interface OutboxRow {
  id: string;
  seq: string;
  topic: string;
  message_key: string;
  type: string;
  value: string;
  headers: Record<string, string>;
  created_at: Date;
  /** octet_length(value) + octet_length(message_key). */
  bytes: number;
}

/**
 * How many of `sizes` (rows in sequence order) go into one send: rows in order while their total
 * stays within `maxBytes`, and always the first row, however large, so nothing waits forever.
 */
export function planBatch(sizes: readonly number[], maxBytes: number): number {
  let total = 0;
  let count = 0;
  for (const size of sizes) {
    if (count > 0 && total + size > maxBytes) break;
    total += size;
    count++;
  }
  return count;
}

/**
 * Broker errors that refuse the messages themselves (their size or content), not the moment:
 * sending them again can never succeed, and kafkajs does not split a batch for them.
 */
const MESSAGE_REFUSALS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TIMESTAMP',
]);

/** The kafkajs error type that refused the messages, if `error` (or an error it wraps) is one. */
export function messageRefusalOf(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { type, cause, originalError } = e as { type?: unknown; cause?: unknown; originalError?: unknown };
    if (typeof type === 'string' && MESSAGE_REFUSALS.has(type)) return type;
    e = cause ?? originalError;
  }
  return undefined;
}

const partitionOf = Partitioners.DefaultPartitioner();

function toMessage(row: OutboxRow): Message {
  return { key: row.message_key, value: row.value, headers: row.headers };
}

const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * Publishes committed outbox rows to Kafka in sequence order and marks them sent.
 *
 * One relay per schema publishes at a time: it holds a session advisory lock (the lease) on its
 * own connection; other replicas wait and take over if that connection dies. The relay is woken by
 * NOTIFY from the outbox trigger and polls as a fallback. A failed send is retried with backoff;
 * rows are marked sent only after the broker acknowledged them (acks=all, idempotent producer), so
 * nothing committed is lost, and a retry after an unknown outcome can only duplicate, which
 * consumers' inboxes absorb.
 *
 * A send holds rows in order up to `maxBatchBytes` (at least one row), compressed with GZIP; while
 * rows remain the relay goes on without waiting. A row the broker refuses for what it is (too
 * large for the topic, invalid) is isolated: it is dead-lettered with the broker's reason and the
 * rows around it are published, so one bad event never stops the schema's outbox.
 */
export class OutboxRelay {
  private readonly table: string;
  private leaseClient: Client | undefined;
  private leader = false;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private pendingWake = false;
  private lastPrune = 0;
  /** The last publishBatch left unsent rows behind (the byte cap or the row limit cut it). */
  private backlogged = false;
  private readonly maxBatchBytes: number;
  /** The UPDATE marking the last published batch sent, while it runs (see publishBatch). */
  private marking: { ids: string[]; done: Promise<void> } | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: Producer,
    private readonly options: OutboxRelayOptions,
    private readonly logger: Logger,
    private readonly metrics?: MetricsService,
  ) {
    this.table = `${quoteIdent(options.schema)}.outbox`;
    this.maxBatchBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    this.registerMetrics();
  }

  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops the loop, then (as leader) publishes what is left, up to the deadline. */
  async stop(deadline = Date.now() + 5000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
    if (this.leader) {
      try {
        while (Date.now() < deadline && (await this.publishBatch()) > 0 && this.backlogged) {
          // drain
        }
        await this.settleMark();
      } catch (error) {
        this.logger.warn({ err: error }, 'outbox flush on shutdown failed; rows stay for the next relay');
      }
    }
    await this.releaseLease();
  }

  /**
   * Publishes one batch; returns how many rows it published. Exposed for tests and benchmarks.
   *
   * The UPDATE that marks a batch sent runs while the next batch is selected and sent (one at a
   * time): the next SELECT skips the rows being marked. Rows are still marked only after the broker
   * acknowledged them; a failed mark surfaces on the next call and leaves its rows unsent, so they
   * are published again (a duplicate, as after any unknown outcome), never lost.
   */
  async publishBatch(): Promise<number> {
    const marking = this.marking?.ids ?? [];
    // The next `batchSize` unsent rows, cut where the rows before one already fill the byte cap
    // (planBatch decides exactly); values past the cut are never read.
    const rows: (OutboxRow & { fetched: number })[] = await this.dataSource.query(
      `SELECT id, seq, topic, message_key, type, value, headers, created_at, bytes, fetched FROM (
         SELECT *, sum(bytes) OVER (ORDER BY seq) - bytes AS before, count(*) OVER () AS fetched FROM (
           SELECT id, seq, topic, message_key, type, value, headers, created_at,
                  octet_length(value) + octet_length(message_key) AS bytes
             FROM ${this.table}
            WHERE sent_at IS NULL AND id <> ALL($2::uuid[]) ORDER BY seq LIMIT $1) AS next) AS sized
        WHERE before < $3 ORDER BY seq`,
      [this.options.batchSize, marking, this.maxBatchBytes],
    );
    if (rows.length === 0) {
      this.backlogged = false;
      await this.settleMark();
      return 0;
    }
    const count = planBatch(
      rows.map((r) => Number(r.bytes)),
      this.maxBatchBytes,
    );
    const batch = rows.slice(0, count);
    this.backlogged = count < Number(rows[0].fetched) || Number(rows[0].fetched) === this.options.batchSize;
    let ids: string[];
    try {
      await this.send(batch);
      ids = batch.map((r) => r.id);
    } catch (error) {
      const refusal = messageRefusalOf(error);
      if (refusal === undefined || !this.options.partitionCounts) throw error;
      await this.settleMark();
      ids = await this.isolate(batch, refusal);
    }
    const now = Date.now();
    for (const row of batch) this.latency?.observe((now - new Date(row.created_at).getTime()) / 1000);
    this.published?.inc(ids.length);
    await this.settleMark();
    const done = this.dataSource
      .query(`UPDATE ${this.table} SET sent_at = now() WHERE id = ANY($1::uuid[])`, [ids])
      .then(() => undefined);
    done.catch(() => undefined); // observed by settleMark
    this.marking = { ids, done };
    return batch.length;
  }

  private async send(rows: OutboxRow[]): Promise<void> {
    const byTopic = new Map<string, TopicMessages>();
    for (const row of rows) {
      let entry = byTopic.get(row.topic);
      if (!entry) byTopic.set(row.topic, (entry = { topic: row.topic, messages: [] }));
      entry.messages.push(toMessage(row));
    }
    await this.producer.sendBatch({
      acks: -1,
      compression: CompressionTypes.GZIP,
      topicMessages: [...byTopic.values()],
    });
  }

  /**
   * The broker refused `batch` for (some of) its messages. The produce request was answered per
   * partition: the partitions without a refused message were appended, and kafkajs rolled back the
   * idempotent sequence numbers of all of them. So each partition's rows are sent again as exactly
   * the same batch (same rows, same sequence numbers): for a partition already appended the broker
   * recognises the duplicate and answers its first offsets, adding nothing. A partition that
   * refuses again is split in halves down to single rows (nothing of a refused partition batch is
   * appended, so its sequence numbers are still free); a single row it refuses is dead-lettered
   * with the reason. Rows are marked sent as each partition completes. Returns the published ids.
   * (With several brokers, a partition whose own request succeeded kept its sequence numbers and
   * is appended again: a duplicate, which inboxes absorb, as after any unknown outcome.)
   */
  private async isolate(batch: OutboxRow[], refusal: string): Promise<string[]> {
    this.logger.warn(
      { refusal, rows: batch.length },
      'outbox relay: the broker refused a batch; sending it partition by partition to isolate the refused rows',
    );
    const counts = await this.options.partitionCounts!([...new Set(batch.map((r) => r.topic))]);
    const groups = new Map<string, OutboxRow[]>();
    for (const row of batch) {
      const partitions = counts.get(row.topic);
      if (!partitions) throw new Error(`outbox relay: no partition count for topic ${row.topic}`);
      const partitionMetadata = Array.from(
        { length: partitions },
        (_, partitionId) => ({ partitionId, leader: 0 }) as PartitionMetadata,
      );
      const partition = partitionOf({ topic: row.topic, partitionMetadata, message: toMessage(row) });
      const group = `${row.topic}\u0000${partition}`;
      groups.set(group, [...(groups.get(group) ?? []), row]);
    }
    const published: string[] = [];
    for (const rows of groups.values()) {
      const ids = await this.sendSplitting(rows);
      await this.dataSource.query(`UPDATE ${this.table} SET sent_at = now() WHERE id = ANY($1::uuid[])`, [
        ids,
      ]);
      published.push(...ids);
    }
    return published;
  }

  /** Sends one partition's rows in order, halving around refusals; returns the ids published. */
  private async sendSplitting(rows: OutboxRow[]): Promise<string[]> {
    try {
      await this.send(rows);
      return rows.map((r) => r.id);
    } catch (error) {
      const refusal = messageRefusalOf(error);
      if (refusal === undefined) throw error;
      if (rows.length === 1) {
        await deadLetterOutboxRow(this.dataSource, this.options.schema, rows[0], {
          kind: refusal,
          message: `the broker refused the message (${refusal}, ${rows[0].bytes} bytes): ${(error as Error).message}`,
        });
        this.deadLettered?.inc();
        this.logger.error(
          {
            refusal,
            outboxId: rows[0].id,
            topic: rows[0].topic,
            type: rows[0].type,
            bytes: Number(rows[0].bytes),
          },
          'outbox relay: the broker refused an event; it is dead-lettered and the events after it go on',
        );
        return [];
      }
      const half = Math.ceil(rows.length / 2);
      return [
        ...(await this.sendSplitting(rows.slice(0, half))),
        ...(await this.sendSplitting(rows.slice(half))),
      ];
    }
  }

  /** Waits for the UPDATE of the previous batch; rethrows its failure. */
  private async settleMark(): Promise<void> {
    const marking = this.marking;
    this.marking = undefined;
    await marking?.done;
  }

  private latency?: ReturnType<MetricsService['histogram']>;
  private published?: ReturnType<MetricsService['counter']>;
  private deadLettered?: ReturnType<MetricsService['counter']>;

  private registerMetrics(): void {
    if (!this.metrics) return;
    const table = this.table;
    const dataSource = this.dataSource;
    this.latency = this.metrics.histogram(
      'outbox_publish_latency_seconds',
      'Time from an outbox row being written to its publication',
      [],
      [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    );
    this.published = this.metrics.counter('outbox_published_total', 'Outbox rows published to Kafka');
    this.deadLettered = this.metrics.counter(
      'outbox_dead_lettered_total',
      'Outbox rows the broker refused (too large, invalid), moved to the dead letters',
    );
    let last = { backlog: 0, age: 0 };
    let refreshing: Promise<void> | undefined;
    const refresh = async (): Promise<void> => {
      if (!dataSource.isInitialized) return;
      const [row] = (await dataSource.query(
        `SELECT count(*)::int AS backlog, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS age
           FROM ${table} WHERE sent_at IS NULL`,
      )) as { backlog: number; age: number }[];
      last = row;
    };
    const collect = async (): Promise<void> => {
      refreshing ??= refresh().finally(() => (refreshing = undefined));
      await refreshing;
    };
    this.metrics.gauge('outbox_backlog', 'Outbox rows not yet published', [], async function () {
      await collect();
      this.set(last.backlog);
    });
    this.metrics.gauge(
      'outbox_oldest_unsent_age_seconds',
      'Age of the oldest unpublished outbox row',
      [],
      async function () {
        await collect();
        this.set(last.age);
      },
    );
  }

  private async run(): Promise<void> {
    let backoff = 0;
    while (this.running) {
      try {
        if (!this.leader && !(await this.acquireLease())) {
          await this.waitForWork();
          continue;
        }
        await this.publishBatch();
        backoff = 0;
        await this.pruneIfDue();
        if (!this.backlogged) await this.waitForWork();
      } catch (error) {
        backoff = Math.min(5000, Math.max(100, backoff * 2));
        this.logger.warn({ err: error, retryInMs: backoff }, 'outbox relay: publish failed, retrying');
        await this.sleep(backoff);
      }
    }
  }

  private async acquireLease(): Promise<boolean> {
    if (!this.leaseClient) {
      const client = new Client({
        connectionString: this.options.databaseUrl,
        application_name: `${this.options.schema}-relay`,
      });
      client.on('error', (error) => {
        this.logger.warn({ err: error }, 'outbox relay: lease connection lost');
        this.leader = false;
        if (this.leaseClient === client) this.leaseClient = undefined;
        client.end().catch(() => undefined);
      });
      client.on('notification', () => this.signal());
      await client.connect();
      this.leaseClient = client;
    }
    const { rows } = await this.leaseClient.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok',
      [`outbox-relay:${this.options.schema}`],
    );
    if (rows[0]?.ok) {
      await this.leaseClient.query(`LISTEN ${quoteIdent(outboxChannel(this.options.schema))}`);
      this.leader = true;
      this.logger.log(`outbox relay for schema ${this.options.schema} is the publisher`);
    }
    return this.leader;
  }

  private async releaseLease(): Promise<void> {
    const client = this.leaseClient;
    this.leaseClient = undefined;
    this.leader = false;
    if (client) await client.end().catch(() => undefined);
  }

  private async pruneIfDue(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    await this.dataSource.query(
      `DELETE FROM ${this.table} WHERE id IN (
         SELECT id FROM ${this.table} WHERE sent_at < now() - make_interval(hours => $1) LIMIT 10000)`,
      [this.options.retentionHours],
    );
  }

  private signal(): void {
    if (this.wake) this.wake();
    else this.pendingWake = true;
  }

  private waitForWork(): Promise<void> {
    if (this.pendingWake || !this.running) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return this.sleep(this.options.pollIntervalMs);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        this.pendingWake = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
