import type { EventEnvelope } from '@leadflow/contracts';
import {
  LeadCreated,
  LeadDuplicateDetected,
  LeadRejected,
  LeadStatusChanged,
  LeadUpdated,
} from '@leadflow/contracts';
import { EventConsumer, EventContext } from '@leadflow/platform/messaging';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { UsageService } from './usage.service';

/**
 * Counts usage from other services' events. Each handler writes through the event's transaction,
 * so the inbox row and the counter commit together: a redelivered event counts nothing.
 */
@EventConsumer('usage', {
  ignores: [LeadUpdated, LeadStatusChanged, LeadDuplicateDetected, LeadRejected],
  // Counting tolerates a quarter second: under load the broker gathers ~100 events per fetch,
  // which the batch handler counts in one transaction.
  fetch: { minBytes: 64 * 1024, maxWaitMs: 250 },
})
export class UsageConsumer {
  constructor(private readonly usage: UsageService) {}

  /**
   * A lead counts for its organization and month: nothing of its payload is read, and a batch of
   * leads costs one upsert per organization and month.
   */
  @EventPattern(LeadCreated, { envelopeOnly: true, batch: true })
  async countLeads(@Payload() events: EventEnvelope<object>[], @Ctx() ctx: EventContext): Promise<void> {
    await this.usage.countLeads(ctx.tx, events);
  }
}
