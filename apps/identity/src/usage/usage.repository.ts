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

/** An amount to add to one organization's month (the period's first day, `YYYY-MM-DD`). */
export interface UsageIncrement {
  organizationId: string;
  periodStart: string;
  amount: number;
}

/** Usage rows are keyed by the organization itself: every read and write names it. */
@Injectable()
export class UsageRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Adds each amount to a counter of its organization's month, creating rows on the first event
   * (one statement for all, safe against concurrent consumers). Answers the organizations that do
   * not exist (nothing is counted for them).
   */
  async addMany(
    manager: EntityManager,
    counter: UsageCounter,
    increments: readonly UsageIncrement[],
  ): Promise<string[]> {
    const column = COLUMNS[counter];
    const rows: { organization_id: string }[] = await manager.query(
      `INSERT INTO identity.organization_usage (organization_id, period, ${column})
       SELECT o.id, i.period, i.amount
         FROM unnest($1::uuid[], $2::date[], $3::int[]) AS i(organization_id, period, amount)
         JOIN identity.organizations o ON o.id = i.organization_id
       ON CONFLICT (organization_id, period)
         DO UPDATE SET ${column} = organization_usage.${column} + EXCLUDED.${column}, updated_at = now()
       RETURNING organization_id`,
      [
        increments.map((i) => i.organizationId),
        increments.map((i) => i.periodStart),
        increments.map((i) => i.amount),
      ],
    );
    const counted = new Set(rows.map((r) => r.organization_id));
    return [...new Set(increments.map((i) => i.organizationId))].filter((id) => !counted.has(id));
  }

  find(organizationId: string, periodStart: string): Promise<OrganizationUsageEntity | null> {
    return this.dataSource
      .getRepository(OrganizationUsageEntity)
      .findOne({ where: { organizationId, period: periodStart } });
  }
}
