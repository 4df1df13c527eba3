import { LeadCreated } from '@leadflow/contracts';
import { ConsumerRunner, onEnvelope } from '@leadflow/platform/messaging';
import type { OnModuleInit } from '@nestjs/common';
import { Injectable } from '@nestjs/common';
import { UsageService } from './usage.service';

/**
 * Counts usage from other services' events. Each handler writes through the runner's transaction,
 * so the inbox row and the counter commit together: a redelivered event counts nothing.
 */
@Injectable()
export class UsageConsumer implements OnModuleInit {
  constructor(
    private readonly runner: ConsumerRunner,
    private readonly usage: UsageService,
  ) {}

  onModuleInit(): void {
    this.runner.register('usage', [
      // A lead counts for its organization and month: nothing of its payload is read.
      onEnvelope(LeadCreated, (event, tx) =>
        this.usage.countLead(tx, event.organizationId, event.occurredAt),
      ),
    ]);
  }
}
