import { PersonColumns, PersonFields } from '../contacts/person-fields';
import type { LeadEntity } from './lead.entity';

/** The columns a new lead is written with, in order — one list for webhook intake and imports. */
export const LEAD_INSERT_COLUMNS = [
  'id',
  'organization_id',
  'workspace_id',
  'contact_id',
  'channel',
  'webhook_id',
  'provider_id',
  'request_id',
  'import_id',
  'import_row',
  'source_key',
  'external_id',
  'idempotency_key',
  'vertical',
  'status',
  'status_reason',
  'status_changed_at',
  'duplicate_of_lead_id',
  'priority',
  'tags',
  ...PersonColumns,
  'attributes',
  'consent',
  'contactable_phone',
  'contactable_sms',
  'contactable_email',
  'tracking',
  'cost',
  'currency',
  'created_at',
  'updated_at',
];

export type LeadColumnValue = string | number | boolean | Date | null | readonly string[];

/** A new lead's values in LEAD_INSERT_COLUMNS order; `json` encodes the jsonb ones for the writer. */
export function leadInsertValues<J>(
  l: LeadEntity,
  json: (value: object | null) => J,
): (LeadColumnValue | J)[] {
  return [
    l.id,
    l.organizationId,
    l.workspaceId,
    l.contactId,
    l.channel,
    l.webhookId,
    l.providerId,
    l.requestId,
    l.importId,
    l.importRow,
    l.sourceKey,
    l.externalId,
    l.idempotencyKey,
    l.vertical,
    l.status,
    l.statusReason,
    l.statusChangedAt,
    l.duplicateOfLeadId,
    l.priority,
    l.tags,
    ...PersonFields.map((field) => l[field]),
    json(l.attributes),
    json(l.consent),
    l.contactablePhone,
    l.contactableSms,
    l.contactableEmail,
    json(l.tracking),
    l.cost,
    l.currency,
    l.createdAt,
    l.updatedAt,
  ];
}
