import type { EventEnvelope } from '@leadflow/contracts';
import type { OutgoingEvent } from '@leadflow/platform/messaging';
import { OutboxWriter } from '@leadflow/platform/messaging';
import { Injectable, Optional } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditLog } from './audit-log';
import type { AuditRecord } from './audit-record';

/** What a state change leaves behind besides itself: the events it announces and its audit entries. */
export interface RecordedChange {
  events?: readonly OutgoingEvent<object>[];
  audit?: AuditRecord | readonly AuditRecord[];
}

/**
 * The one way a change records its events (outbox) and its audit entries: both inside the caller's
 * transaction, so they commit or roll back with the change itself. Events are added first (in one
 * outbox call: their aggregates are locked in order), then the audit entries.
 */
@Injectable()
export class ChangeRecorder {
  constructor(
    private readonly audit: AuditLog,
    /** Absent in a service without messaging: it may record audit entries only. */
    @Optional() private readonly outbox?: OutboxWriter,
  ) {}

  async record(tx: EntityManager, change: RecordedChange): Promise<EventEnvelope<object>[]> {
    const events = change.events ?? [];
    let envelopes: EventEnvelope<object>[] = [];
    if (events.length > 0) {
      if (!this.outbox)
        throw new Error('ChangeRecorder: this service has no messaging, so no outbox for events');
      envelopes = await this.outbox.add(tx, [...events]);
    }
    const audits =
      change.audit === undefined ? [] : Array.isArray(change.audit) ? change.audit : [change.audit];
    for (const record of audits as readonly AuditRecord[]) await this.audit.record(tx, record);
    return envelopes;
  }
}
