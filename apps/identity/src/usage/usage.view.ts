import type { OrganizationUsageEntity } from './organization-usage.entity';
import type { QuotaMonth } from '@leadflow/platform/ratelimit';

/** Usage of the current month, shown next to the plan's quotas. */
export interface UsageView {
  period: QuotaMonth;
  leads: number;
  enrichments: number;
  emails: number;
  sms: number;
  callMinutes: number;
}

export function toUsageView(period: QuotaMonth, row: OrganizationUsageEntity | null): UsageView {
  return {
    period,
    leads: Number(row?.leads ?? 0),
    enrichments: Number(row?.enrichments ?? 0),
    emails: Number(row?.emails ?? 0),
    sms: Number(row?.sms ?? 0),
    callMinutes: Number(row?.callMinutes ?? 0),
  };
}
