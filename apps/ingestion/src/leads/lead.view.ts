import { personValuesOf } from '../contacts/person-fields';
import type { LeadPayload } from '@leadflow/contracts';
import type { LeadEntity } from './lead.entity';

/** A lead as the API answers it and as events carry it (one shape for both). */
export type LeadView = LeadPayload & { statusReason: string | null; contactAttempts: number };

export function toLeadPayload(l: LeadEntity): LeadPayload {
  return {
    id: l.id,
    organizationId: l.organizationId,
    workspaceId: l.workspaceId,
    contactId: l.contactId,
    vertical: l.vertical,
    status: l.status,
    channel: l.channel,
    webhookId: l.webhookId,
    providerId: l.providerId,
    importId: l.importId,
    externalId: l.externalId,
    ...personValuesOf(l),
    attributes: l.attributes,
    consent: l.consent ?? { granted: false },
    contactable: { phone: l.contactablePhone, sms: l.contactableSms, email: l.contactableEmail },
    tracking: l.tracking,
    cost: l.cost,
    currency: l.currency,
    stageId: l.stageId,
    assignedTo: l.assignedTo,
    priority: l.priority,
    followUpAt: l.followUpAt?.toISOString() ?? null,
    tags: l.tags,
    duplicateOfLeadId: l.duplicateOfLeadId,
    createdAt: l.createdAt.toISOString(),
    updatedAt: l.updatedAt.toISOString(),
  };
}

export function toLeadView(l: LeadEntity): LeadView {
  return { ...toLeadPayload(l), statusReason: l.statusReason, contactAttempts: l.contactAttempts };
}
