import type { OrganizationPayload, Plan } from '@leadflow/contracts';
import type { UsageView } from '../usage/usage.view';
import type { OrganizationEntity } from './organization.entity';

export type OrganizationView = OrganizationPayload & { createdAt: string };

/** The organization's plan request awaiting the operator (at most one is pending at a time). */
export interface PendingPlanRequestView {
  id: string;
  plan: Plan;
  requestedAt: string;
  requestedBy: { type: 'user' | 'api_key'; id: string };
}

/**
 * `GET /organizations/current`: the organization, this month's usage next to its quotas, and the
 * plan request awaiting the operator (`null` when none is pending).
 */
export type CurrentOrganizationView = OrganizationView & {
  usage: UsageView;
  pendingPlanRequest: PendingPlanRequestView | null;
};

export function organizationPayload(o: OrganizationEntity): OrganizationPayload {
  return { id: o.id, name: o.name, slug: o.slug, plan: o.plan, quotas: o.quotas, status: o.status };
}

export function toOrganizationView(o: OrganizationEntity): OrganizationView {
  return { ...organizationPayload(o), createdAt: o.createdAt.toISOString() };
}
