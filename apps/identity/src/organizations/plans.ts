import type { Plan, PlanQuotas } from '@leadflow/contracts';

/** Monthly quotas of each plan (null: unlimited). */
export const planQuotas: Record<Plan, PlanQuotas> = {
  free: { leads: 500, enrichments: 100, emails: 2_000, sms: 200, callMinutes: 60 },
  pro: { leads: 25_000, enrichments: 5_000, emails: 100_000, sms: 10_000, callMinutes: 3_000 },
  enterprise: { leads: null, enrichments: null, emails: null, sms: null, callMinutes: null },
};

/** URL-safe slug of an organization name plus a random suffix (slugs are unique). */
export function slugify(name: string, suffix: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${base || 'org'}-${suffix}`;
}
