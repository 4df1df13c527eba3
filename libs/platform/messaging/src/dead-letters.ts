import type { Page } from '@leadflow/contracts';
import { NotFoundError } from '@leadflow/platform/errors';
import { keysetSql, pageOf, quoteIdent } from '@leadflow/platform/persistence';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { ConsumerRunner } from './consumer.runner';
import { DLQ_HEADERS } from './consumer.runner';
import type { OutboxWriter } from './outbox.writer';
import type { TopicNamer } from './topic-namer';

export interface DeadLetter {
  id: string;
  consumer: string;
  originalTopic: string;
  originalPartition: number | null;
  originalOffset: string | null;
  key: string;
  eventId: string | null;
  eventType: string | null;
  error: string;
  errorKind: string;
  attempts: number;
  failedAt: string;
  replayCount: number;
  lastReplayedAt: string | null;
  value: string | null;
  headers: Record<string, string>;
}

interface DeadLetterRow {
  id: string;
  consumer: string;
  original_topic: string;
  original_partition: number | null;
  original_offset: string | null;
  message_key: string;
  event_id: string | null;
  event_type: string | null;
  error: string;
  error_kind: string;
  attempts: number;
  failed_at: Date;
  replay_count: number;
  last_replayed_at: Date | null;
  value: string | null;
  headers: Record<string, string>;
}

function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return {
    id: row.id,
    consumer: row.consumer,
    originalTopic: row.original_topic,
    originalPartition: row.original_partition,
    originalOffset: row.original_offset === null ? null : String(row.original_offset),
    key: row.message_key,
    eventId: row.event_id,
    eventType: row.event_type,
    error: row.error,
    errorKind: row.error_kind,
    attempts: row.attempts,
    failedAt: row.failed_at.toISOString(),
    replayCount: row.replay_count,
    lastReplayedAt: row.last_replayed_at?.toISOString() ?? null,
    value: row.value,
    headers: row.headers,
  };
}

function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

const DLQ_HEADER_NAMES = new Set<string>(Object.values(DLQ_HEADERS));

/** `consumer` of a dead letter the outbox relay made: an event the broker refused to take. */
export const OUTBOX_RELAY_CONSUMER = 'outbox-relay';

/**
 * Moves an outbox row the broker refused (too large for the topic, invalid) to the dead letters,
 * in one transaction: a `dead_letters` row (consumer `outbox-relay`, `error_kind` the broker's
 * error, the full value, so it can be read and replayed once the topic takes it) and the outbox row
 * marked done. The message never reached the DLQ topic (the broker refused it), so the row has no
 * DLQ position: `dlq_partition` is -1 and `dlq_offset` the outbox sequence number (unique per schema).
 */
export async function deadLetterOutboxRow(
  dataSource: DataSource,
  schema: string,
  row: {
    id: string;
    seq: string;
    topic: string;
    message_key: string;
    type: string;
    value: string;
    headers: Record<string, string>;
  },
  reason: { kind: string; message: string },
): Promise<void> {
  const s = quoteIdent(schema);
  await dataSource.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO ${s}.dead_letters (id, dlq_partition, dlq_offset, consumer, original_topic, original_partition,
         original_offset, message_key, value, headers, error, error_kind, attempts, event_id, event_type, failed_at)
       VALUES ($1, -1, $2, $3, $4, NULL, NULL, $5, $6, $7, $8, $9, 1, $10, $11, now())
       ON CONFLICT (dlq_partition, dlq_offset) DO NOTHING`,
      [
        uuidv7(),
        row.seq,
        OUTBOX_RELAY_CONSUMER,
        row.topic,
        row.message_key,
        row.value,
        JSON.stringify(row.headers),
        reason.message,
        reason.kind,
        row.id,
        row.type,
      ],
    );
    await tx.query(`UPDATE ${s}.outbox SET sent_at = now() WHERE id = $1`, [row.id]);
  });
}

/**
 * The service's dead letters: the DLQ topic is the record; a recorder consumer copies it into the
 * `dead_letters` table so people can page through it, and replay puts the original message back on
 * its original topic through the outbox (the inbox keeps a replay from applying anything twice).
 */
export class DeadLetterService {
  private readonly table: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly topics: TopicNamer,
    private readonly service: string,
    schema: string,
  ) {
    this.table = `${quoteIdent(schema)}.dead_letters`;
  }

  /** Subscribes the recorder to the service's DLQ topic. */
  registerRecorder(runner: ConsumerRunner): void {
    runner.registerRaw('dlq-recorder', [this.topics.dlq(this.service)], (_topic, partition, message) =>
      this.record(partition, message),
    );
  }

  async record(partition: number, message: KafkaMessage): Promise<void> {
    const h = message.headers;
    const value = message.value?.toString('utf8') ?? null;
    let eventId: string | null = null;
    let eventType: string | null = null;
    try {
      const parsed = value === null ? null : (JSON.parse(value) as { id?: unknown; type?: unknown });
      if (typeof parsed?.id === 'string') eventId = parsed.id.slice(0, 200);
      if (typeof parsed?.type === 'string') eventType = parsed.type.slice(0, 200);
    } catch {
      // not JSON: kept as text
    }
    const headers: Record<string, string> = {};
    for (const name of Object.keys(h ?? {})) headers[name] = headerText(h, name) ?? '';
    const originalPartition = headerText(h, DLQ_HEADERS.originalPartition);
    const originalOffset = headerText(h, DLQ_HEADERS.originalOffset);
    await this.dataSource.query(
      `INSERT INTO ${this.table} (id, dlq_partition, dlq_offset, consumer, original_topic, original_partition,
         original_offset, message_key, value, headers, error, error_kind, attempts, event_id, event_type, failed_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)
       ON CONFLICT (dlq_partition, dlq_offset) DO NOTHING`,
      [
        uuidv7(),
        partition,
        message.offset,
        headerText(h, DLQ_HEADERS.consumer) ?? 'unknown',
        headerText(h, DLQ_HEADERS.originalTopic) ?? 'unknown',
        originalPartition === undefined ? null : Number(originalPartition),
        originalOffset ?? null,
        message.key?.toString('utf8') ?? '',
        value,
        JSON.stringify(headers),
        headerText(h, DLQ_HEADERS.error) ?? 'unknown error',
        headerText(h, DLQ_HEADERS.errorKind) ?? 'unknown',
        Number(headerText(h, DLQ_HEADERS.attempts) ?? '1'),
        eventId,
        eventType,
        headerText(h, DLQ_HEADERS.failedAt) ?? new Date(Number(message.timestamp)).toISOString(),
      ],
    );
  }

  async list(query: { limit: number; cursor?: string; consumer?: string }): Promise<Page<DeadLetter>> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (query.consumer !== undefined) {
      params.push(query.consumer);
      where.push(`consumer = $${params.length}`);
    }
    const keyset = keysetSql(query, { column: 'failed_at', direction: 'ASC' }, params);
    if (keyset.condition !== null) where.push(keyset.condition);
    const rows: DeadLetterRow[] = await this.dataSource.query(
      `SELECT * FROM ${this.table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ${keyset.orderAndLimit}`,
      params,
    );
    return pageOf(keyset.page(rows), toDeadLetter);
  }

  async get(id: string): Promise<DeadLetter> {
    const rows: DeadLetterRow[] = await this.dataSource.query(`SELECT * FROM ${this.table} WHERE id = $1`, [
      id,
    ]);
    if (rows.length === 0) throw new NotFoundError('Dead letter', id);
    return toDeadLetter(rows[0]);
  }

  /** Puts the original message back on its original topic (via the outbox, in one transaction). */
  async replay(id: string): Promise<DeadLetter> {
    return this.dataSource.transaction(async (tx) => {
      const rows: DeadLetterRow[] = await tx.query(`SELECT * FROM ${this.table} WHERE id = $1 FOR UPDATE`, [
        id,
      ]);
      if (rows.length === 0) throw new NotFoundError('Dead letter', id);
      const row = rows[0];
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(row.headers))
        if (!DLQ_HEADER_NAMES.has(name)) headers[name] = value;
      headers['x-replayed-from-dlq'] = row.id;
      await this.outbox.addRaw(tx, [
        {
          id: uuidv7(),
          topic: row.original_topic,
          key: row.message_key,
          type: row.event_type ?? 'unknown',
          value: row.value ?? '',
          headers,
        },
      ]);
      // (TypeORM answers an UPDATE with [rows, count]; read the row back instead.)
      await tx.query(
        `UPDATE ${this.table} SET replay_count = replay_count + 1, last_replayed_at = now() WHERE id = $1`,
        [id],
      );
      const [updated]: DeadLetterRow[] = await tx.query(`SELECT * FROM ${this.table} WHERE id = $1`, [id]);
      return toDeadLetter(updated);
    });
  }
}
