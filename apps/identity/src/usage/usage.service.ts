import { quotaMonthFirstDay, quotaMonthOf } from '@leadflow/platform/ratelimit';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { UsageError, UsageErrorCode } from './usage.errors';
import type { UsageIncrement } from './usage.repository';
import { UsageRepository } from './usage.repository';
import type { UsageView } from './usage.view';
import { toUsageView } from './usage.view';

/** Monthly usage of each organization (calendar months in UTC), counted from other services' events. */
@Injectable()
export class UsageService {
  constructor(private readonly usage: UsageRepository) {}

  /**
   * Counts leads in the month each was created (its event's occurredAt), inside the consumer's
   * transaction: one upsert per organization and month of the batch.
   */
  async countLeads(
    tx: EntityManager,
    events: readonly { organizationId: string; occurredAt: string }[],
  ): Promise<void> {
    const amounts = new Map<string, UsageIncrement>();
    for (const event of events) {
      const period = quotaMonthFirstDay(quotaMonthOf(new Date(event.occurredAt)));
      const key = `${event.organizationId}|${period}`;
      const entry = amounts.get(key) ?? {
        organizationId: event.organizationId,
        periodStart: period,
        amount: 0,
      };
      entry.amount++;
      amounts.set(key, entry);
    }
    const missing = await this.usage.addMany(tx, 'leads', [...amounts.values()]);
    if (missing.length > 0)
      throw UsageError.of(UsageErrorCode.UnknownOrganization, { organizationId: missing[0] });
  }

  /** The organization's usage in the month of `at` (zeros before its first counted event). */
  async ofMonth(organizationId: string, at: Date): Promise<UsageView> {
    const period = quotaMonthOf(at);
    return toUsageView(period, await this.usage.find(organizationId, quotaMonthFirstDay(period)));
  }
}
