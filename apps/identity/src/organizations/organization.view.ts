import type { OrganizationPayload } from '@leadflow/contracts';
import type { UsageView } from '../usage/usage.view';
import type { OrganizationEntity } from './organization.entity';

export type OrganizationView = OrganizationPayload & { createdAt: string };

/** `GET /organizations/current`: the organization, and this month's usage next to its quotas. */
export type CurrentOrganizationView = OrganizationView & { usage: UsageView };

export function organizationPayload(o: OrganizationEntity): OrganizationPayload {
  return { id: o.id, name: o.name, slug: o.slug, plan: o.plan, quotas: o.quotas, status: o.status };
}

export function toOrganizationView(o: OrganizationEntity): OrganizationView {
  return { ...organizationPayload(o), createdAt: o.createdAt.toISOString() };
}
