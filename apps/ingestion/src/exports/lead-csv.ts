import { stringify } from 'csv-stringify';
import { Readable } from 'node:stream';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { escapeCsvFormula } from '../common/csv-cell';
import type { LeadEntity } from '../leads/lead.entity';

/** The columns of a lead export, in order (the header row). */
export const LeadCsvColumns = [
  'id',
  'createdAt',
  'status',
  'vertical',
  'workspaceId',
  'providerId',
  'webhookId',
  'externalId',
  'firstName',
  'lastName',
  'phone',
  'email',
  'address',
  'city',
  'state',
  'zip',
  'tags',
  'priority',
  'cost',
  'currency',
  'consentGranted',
  'contactablePhone',
  'contactableSms',
  'contactableEmail',
  'utmSource',
  'utmMedium',
  'utmCampaign',
] as const;
export type LeadCsvColumn = (typeof LeadCsvColumns)[number];

/** The lead columns an export reads (never the whole row: no raw attributes). */
export const LeadCsvFields = [
  'id',
  'createdAt',
  'status',
  'vertical',
  'workspaceId',
  'providerId',
  'webhookId',
  'externalId',
  'firstName',
  'lastName',
  'phone',
  'email',
  'address',
  'city',
  'state',
  'zip',
  'tags',
  'priority',
  'cost',
  'currency',
  'consent',
  'contactablePhone',
  'contactableSms',
  'contactableEmail',
  'tracking',
] as const satisfies readonly (keyof LeadEntity)[];
export type LeadCsvSource = Pick<LeadEntity, (typeof LeadCsvFields)[number]>;

function cell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  return escapeCsvFormula(String(value));
}

/** One lead as the cells of its export row, in `LeadCsvColumns` order. */
export function toLeadCsvRecord(lead: LeadCsvSource): string[] {
  const values: Record<LeadCsvColumn, string | number | boolean | null | undefined> = {
    id: lead.id,
    createdAt: lead.createdAt.toISOString(),
    status: lead.status,
    vertical: lead.vertical,
    workspaceId: lead.workspaceId,
    providerId: lead.providerId,
    webhookId: lead.webhookId,
    externalId: lead.externalId,
    firstName: lead.firstName,
    lastName: lead.lastName,
    phone: lead.phone,
    email: lead.email,
    address: lead.address,
    city: lead.city,
    state: lead.state,
    zip: lead.zip,
    tags: lead.tags.join(';'),
    priority: lead.priority,
    cost: lead.cost,
    currency: lead.currency,
    consentGranted: lead.consent?.granted === true,
    contactablePhone: lead.contactablePhone,
    contactableSms: lead.contactableSms,
    contactableEmail: lead.contactableEmail,
    utmSource: lead.tracking?.utmSource,
    utmMedium: lead.tracking?.utmMedium,
    utmCampaign: lead.tracking?.utmCampaign,
  };
  return LeadCsvColumns.map((column) => cell(values[column]));
}

/**
 * Writes a header row and then every record to `out` as CSV, pulling records only as fast as
 * `out` takes them (backpressure), so an export never holds more than the current batch.
 */
export async function writeLeadCsv(records: AsyncIterable<string[]>, out: Writable): Promise<void> {
  await pipeline(Readable.from(records), stringify({ header: true, columns: [...LeadCsvColumns] }), out);
}
