import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { OrganizationUsageEntity } from './organization-usage.entity';

/** The counters a usage event can move. */
export type UsageCounter = 'leads' | 'enrichments' | 'emails' | 'sms' | 'callMinutes';

const COLUMNS: Record<UsageCounter, string> = {
  leads: 'leads',
  enrichments: 'enrichments',
  emails: 'emails',
  sms: 'sms',
  callMinutes: 'call_minutes',
};

/** Usage rows are keyed by the organization itself: every read and write names it. */
@Injectable()
export class UsageRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Adds `amount` to a counter of the organization's month, creating the row on the first event
   * (one statement, safe against concurrent consumers). Answers false when the organization does
   * not exist.
   */
  async add(
    manager: EntityManager,
    organizationId: string,
    periodStart: string,
    counter: UsageCounter,
    amount: number,
  ): Promise<boolean> {
    const column = COLUMNS[counter];
    const rows: unknown[] = await manager.query(
      `INSERT INTO identity.organization_usage (organization_id, period, ${column})
       SELECT o.id, $2::date, $3 FROM identity.organizations o WHERE o.id = $1
       ON CONFLICT (organization_id, period)
         DO UPDATE SET ${column} = organization_usage.${column} + EXCLUDED.${column}, updated_at = now()
       RETURNING 1`,
      [organizationId, periodStart, amount],
    );
    return rows.length > 0;
  }

  find(organizationId: string, periodStart: string): Promise<OrganizationUsageEntity | null> {
    return this.dataSource
      .getRepository(OrganizationUsageEntity)
      .findOne({ where: { organizationId, period: periodStart } });
  }
}
