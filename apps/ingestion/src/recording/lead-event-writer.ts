import type { EventEnvelope } from '@leadflow/contracts';
import type { OutboxMessage, OutgoingEvent } from '@leadflow/platform/messaging';
import { OutboxWriter, TopicNamer } from '@leadflow/platform/messaging';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { CopyValue } from './pg-copy';
import { CopyJson, copyRows } from './pg-copy';

/** The outbox row OutboxWriter writes (`seq` and `created_at` take their defaults). */
const OUTBOX_COLUMNS = ['id', 'topic', 'message_key', 'type', 'value', 'headers'] as const;

/**
 * The events of a batch of leads (a webhook batch or an import batch), in the envelope
 * OutboxWriter makes, at the cost a batch of thousands of events can carry:
 *
 * - Events of aggregates the batch's transaction itself created (its new leads and contacts) are
 *   answered as outbox rows for the caller to COPY into the outbox in that transaction, without
 *   the per-aggregate advisory lock `OutboxWriter.add` takes: no other transaction can write an
 *   event for an id before this one commits, so their outbox order is the commit order anyway —
 *   and thousands of advisory locks per transaction would crowd PostgreSQL's shared lock table
 *   (max_locks_per_transaction × max_connections entries). COPY stores them ~3× faster than the
 *   `unnest` insert of `addRaw`; the outbox's statement trigger (NOTIFY) fires for COPY too.
 * - The first event of each type in a call is built and validated by `OutboxWriter.envelope`
 *   (its contract's class-validator rules); the others of that type take the same envelope
 *   fields with their own id, aggregate and payload. Validating every lead payload costs ~100 µs
 *   — more than normalizing and storing the lead — and the payloads are built by the same typed
 *   mapping (`toLeadPayload`/`toContactPayload`) from normalized values the contracts accept.
 *
 * Events of aggregates that existed before (a contact whose blanks the batch filled) go through
 * `OutboxWriter.add` as everywhere else: validated and serialized per aggregate.
 */
@Injectable()
export class LeadEventWriter {
  constructor(
    private readonly outbox: OutboxWriter,
    private readonly topics: TopicNamer,
  ) {}

  /**
   * COPYs the events of aggregates created in the client's open transaction (see above) into the
   * outbox; envelopes and lines are made as COPY pulls them.
   */
  async copyForNewAggregates(client: PoolClient, events: Iterable<OutgoingEvent<object>>): Promise<void> {
    await copyRows(client, 'ingestion.outbox', OUTBOX_COLUMNS, this.outboxLines(events));
  }

  private *outboxLines(events: Iterable<OutgoingEvent<object>>): Generator<CopyValue[]> {
    for (const m of this.messagesForNewAggregates(events))
      yield [m.id, m.topic, m.key, m.type, m.value, new CopyJson(m.headers)];
  }

  private *messagesForNewAggregates(events: Iterable<OutgoingEvent<object>>): Generator<OutboxMessage> {
    const samples = new Map<string, EventEnvelope<object>>();
    for (const event of events) {
      const sample = samples.get(event.contract.type);
      const envelope = sample ? this.like(sample, event) : this.outbox.envelope(event);
      if (!sample) samples.set(event.contract.type, envelope);
      yield {
        id: envelope.id,
        topic: this.topics.physical(event.contract.topic),
        key: envelope.aggregateId,
        type: envelope.type,
        value: this.outbox.serialize(envelope), // the outbox's size cap (413 event_too_large)
        headers: { 'content-type': 'application/json', 'event-type': envelope.type },
      };
    }
  }

  /** Validated, locked per aggregate: for aggregates other transactions may also be writing. */
  async add(manager: EntityManager, events: OutgoingEvent<object>[]): Promise<void> {
    await this.outbox.add(manager, events);
  }

  /** The envelope OutboxWriter.envelope makes for `event`, its constant fields taken from `sample`. */
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
}
