import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { periodStart, usagePeriodOf } from './usage-period';
import { UnknownOrganizationError } from './usage.errors';
import { UsageRepository } from './usage.repository';
import type { UsageView } from './usage.view';
import { toUsageView } from './usage.view';

/** Monthly usage of each organization (calendar months in UTC), counted from other services' events. */
@Injectable()
export class UsageService {
  constructor(private readonly usage: UsageRepository) {}

  /** Counts one lead in the month it was created (the event's occurredAt), inside the consumer's transaction. */
  async countLead(tx: EntityManager, organizationId: string, occurredAt: string): Promise<void> {
    const period = usagePeriodOf(new Date(occurredAt));
    if (!(await this.usage.add(tx, organizationId, periodStart(period), 'leads', 1))) {
      throw new UnknownOrganizationError(organizationId);
    }
  }

  /** The organization's usage in the month of `at` (zeros before its first counted event). */
  async ofMonth(organizationId: string, at: Date): Promise<UsageView> {
    const period = usagePeriodOf(at);
    return toUsageView(period, await this.usage.find(organizationId, periodStart(period)));
  }
}
