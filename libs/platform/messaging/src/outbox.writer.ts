import type { EventContract, EventEnvelope } from '@leadflow/contracts';
import { DomainError } from '@leadflow/platform/errors';
import type { CopyValue } from '@leadflow/platform/persistence';
import { CopyJson, copyRows, quoteIdent } from '@leadflow/platform/persistence';
import { RequestContext, newId } from '@leadflow/platform/observability';
import type { PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { validatePayload } from './event-validation';
import type { TopicNamer } from './topic-namer';

export interface OutgoingEvent<P extends object> {
  contract: EventContract<P>;
  aggregateId: string;
  organizationId: string;
  workspaceId?: string;
  payload: P;
  /** Defaults to the correlation id of the request or event being handled. */
  correlationId?: string;
  /** Defaults to the id of the event being handled, if any. */
  causationId?: string;
  occurredAt?: Date;
}

/** One outbox row as written: the serialized message and where it goes. */
export interface OutboxMessage {
  id: string;
  topic: string;
  key: string;
  type: string;
  value: string;
  headers: Record<string, string>;
}

/** The outbox row as the writer stores it (`seq` and `created_at` take their defaults). */
const OUTBOX_COLUMNS = ['id', 'topic', 'message_key', 'type', 'value', 'headers'] as const;

/** `OUTBOX_MAX_EVENT_BYTES`'s default: below Kafka's default `message.max.bytes` (~1 MiB). */
export const DEFAULT_MAX_EVENT_BYTES = 900 * 1024;

/**
 * An event whose serialized envelope is larger than the outbox accepts: the broker would refuse
 * it, so it is refused before anything is stored (413 `event_too_large`; the caller's
 * transaction rolls back).
 */
export class EventTooLargeError extends DomainError {
  constructor(
    readonly eventType: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(
      'payload_too_large',
      'event_too_large',
      `The ${eventType} event this request makes would be ${bytes} bytes; events are limited to ${maxBytes} bytes`,
      { details: { eventType, bytes, maxBytes } },
    );
  }
}

/**
 * Adds events to the service's outbox inside the caller's transaction: they are published if and
 * only if that transaction commits. Events of one aggregate are serialized by a transaction-scoped
 * advisory lock taken before their sequence numbers are drawn, so for every aggregate the outbox
 * order is the commit order. Add a transaction's events in one call (keys are locked in sorted
 * order, so two transactions cannot deadlock on each other's keys).
 */
export class OutboxWriter {
  private readonly table: string;

  constructor(
    private readonly schema: string,
    private readonly service: string,
    private readonly topics: TopicNamer,
    /** `OUTBOX_MAX_EVENT_BYTES`: the largest serialized envelope `serialize` lets through. */
    readonly maxEventBytes = DEFAULT_MAX_EVENT_BYTES,
  ) {
    this.table = `${quoteIdent(schema)}.outbox`;
  }

  /** The outbox row's value for an envelope; throws EventTooLargeError above the cap. */
  serialize(envelope: EventEnvelope<object>): string {
    const value = JSON.stringify(envelope);
    // UTF-8 is at most 3 bytes per UTF-16 unit: count exactly only when it could matter.
    if (value.length * 3 > this.maxEventBytes) {
      const bytes = Buffer.byteLength(value, 'utf8');
      if (bytes > this.maxEventBytes) throw new EventTooLargeError(envelope.type, bytes, this.maxEventBytes);
    }
    return value;
  }

  envelope<P extends object>(event: OutgoingEvent<P>): EventEnvelope<P> {
    if (!event.aggregateId)
      throw new Error(`${event.contract.type}: aggregateId is required (it is the message key)`);
    const payload = validatePayload(event.contract, event.payload);
    const ctx = RequestContext.current();
    const envelope: EventEnvelope<P> = {
      id: uuidv7(),
      type: event.contract.type,
      version: event.contract.version,
      occurredAt: (event.occurredAt ?? new Date()).toISOString(),
      source: this.service,
      organizationId: event.organizationId,
      aggregateId: event.aggregateId,
      correlationId: event.correlationId ?? ctx?.correlationId ?? newId(),
      payload,
    };
    if (event.workspaceId !== undefined) envelope.workspaceId = event.workspaceId;
    const causationId = event.causationId ?? ctx?.causationId;
    if (causationId !== undefined) envelope.causationId = causationId;
    return envelope;
  }

  /** Validates, wraps and stores events; returns their envelopes. Needs an open transaction. */
  async add(manager: EntityManager, events: OutgoingEvent<object>[]): Promise<EventEnvelope<object>[]> {
    if (events.length === 0) return [];
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('OutboxWriter.add must run inside the transaction of the state change it announces');
    }
    const envelopes = events.map((e) => this.envelope(e));
    const messages = envelopes.map((e, i) => this.message(e, events[i].contract));
    const keys = [...new Set(envelopes.map((e) => e.aggregateId))].sort();
    await manager.query(
      `SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0)))
         FROM (SELECT ${quoteLiteral(this.schema + ':')} || k AS k FROM unnest($1::text[]) AS k ORDER BY 1) AS keys`,
      [keys],
    );
    await this.insertRows(manager, messages);
    return envelopes;
  }

  /**
   * COPYs the events of aggregates created in the client's open transaction (a batch's new leads
   * and contacts) into the outbox, at the cost a batch of thousands of events can carry:
   *
   * - No per-aggregate advisory lock: no other transaction can write an event for an id before
   *   this one commits, so their outbox order is the commit order anyway — and thousands of
   *   advisory locks per transaction would crowd PostgreSQL's shared lock table. COPY stores them
   *   ~3× faster than `add`'s `unnest` insert; the outbox's statement trigger (NOTIFY) fires for
   *   COPY too.
   * - The first event of each type is built and validated by `envelope` (its contract's rules);
   *   the others of that type take the same envelope fields with their own id, aggregate and
   *   payload, unvalidated: the caller builds them by the same typed mapping from values the
   *   contract accepts (validating each would cost more than storing it).
   *
   * Events of aggregates that existed before go through `add`. Envelopes and lines are made as
   * COPY pulls them; each passes the size cap.
   */
  async copyForNewAggregates(client: PoolClient, events: Iterable<OutgoingEvent<object>>): Promise<void> {
    await copyRows(client, this.table, OUTBOX_COLUMNS, this.copyLines(events));
  }

  private *copyLines(events: Iterable<OutgoingEvent<object>>): Generator<CopyValue[]> {
    const samples = new Map<string, EventEnvelope<object>>();
    for (const event of events) {
      const sample = samples.get(event.contract.type);
      const envelope = sample ? this.like(sample, event) : this.envelope(event);
      if (!sample) samples.set(event.contract.type, envelope);
      const m = this.message(envelope, event.contract);
      yield [m.id, m.topic, m.key, m.type, m.value, new CopyJson(m.headers)];
    }
  }

  /** The envelope `envelope` makes for `event`, its constant fields taken from `sample`. */
  private like(sample: EventEnvelope<object>, event: OutgoingEvent<object>): EventEnvelope<object> {
    const envelope: EventEnvelope<object> = {
      id: uuidv7(),
      type: sample.type,
      version: sample.version,
      occurredAt: (event.occurredAt ?? new Date()).toISOString(),
      source: sample.source,
      organizationId: event.organizationId,
      aggregateId: event.aggregateId,
      correlationId: event.correlationId ?? sample.correlationId,
      payload: event.payload,
    };
    if (event.workspaceId !== undefined) envelope.workspaceId = event.workspaceId;
    const causationId = event.causationId ?? sample.causationId;
    if (causationId !== undefined) envelope.causationId = causationId;
    return envelope;
  }

  /** The outbox row of an envelope (serialized under the size cap). */
  private message(envelope: EventEnvelope<object>, contract: EventContract<object>): OutboxMessage {
    return {
      id: envelope.id,
      topic: this.topics.physical(contract.topic),
      key: envelope.aggregateId,
      type: envelope.type,
      value: this.serialize(envelope),
      headers: { 'content-type': 'application/json', 'event-type': envelope.type },
    };
  }

  /** Stores already-serialized messages (DLQ replay) in the outbox; same transaction rules. */
  async addRaw(manager: EntityManager, messages: OutboxMessage[]): Promise<void> {
    if (!manager.queryRunner?.isTransactionActive) throw new Error('OutboxWriter.addRaw needs a transaction');
    await this.insertRows(manager, messages);
  }

  private async insertRows(manager: EntityManager, rows: OutboxMessage[]): Promise<void> {
    await manager.query(
      `INSERT INTO ${this.table} (id, topic, message_key, type, value, headers)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[])`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.topic),
        rows.map((r) => r.key),
        rows.map((r) => r.type),
        rows.map((r) => r.value),
        rows.map((r) => JSON.stringify(r.headers)),
      ],
    );
  }
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
