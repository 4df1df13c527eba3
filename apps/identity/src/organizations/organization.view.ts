import type { OrganizationPayload } from '@leadflow/contracts';
import type { OrganizationEntity } from './organization.entity';

export type OrganizationView = OrganizationPayload & { createdAt: string };

export function organizationPayload(o: OrganizationEntity): OrganizationPayload {
  return { id: o.id, name: o.name, slug: o.slug, plan: o.plan, quotas: o.quotas, status: o.status };
}

export function toOrganizationView(o: OrganizationEntity): OrganizationView {
  return { ...organizationPayload(o), createdAt: o.createdAt.toISOString() };
}
