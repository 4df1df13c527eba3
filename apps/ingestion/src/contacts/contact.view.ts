import type { ContactPayload } from '@leadflow/contracts';
import type { ContactEntity } from './contact.entity';
import { personValuesOf } from './person-fields';

/** A contact as the API answers it and as events carry it. */
export type ContactView = ContactPayload & {
  workspaceId: string;
  address2: string | null;
  customFields: Record<string, unknown>;
};

/** One contact with how many of its leads the caller can see. */
export type ContactDetailView = ContactView & { leadCount: number };

export function toContactPayload(c: ContactEntity): ContactPayload {
  // The contact events (contract v1) carry no second address line; the API's view adds it.
  const { address2: _line2, ...person } = personValuesOf(c);
  return {
    id: c.id,
    organizationId: c.organizationId,
    ...person,
    tags: c.tags,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export function toContactView(c: ContactEntity): ContactView {
  return {
    ...toContactPayload(c),
    workspaceId: c.workspaceId,
    address2: c.address2,
    customFields: c.customFields,
  };
}

export function toContactDetailView(c: ContactEntity, leadCount: number): ContactDetailView {
  return { ...toContactView(c), leadCount };
}
