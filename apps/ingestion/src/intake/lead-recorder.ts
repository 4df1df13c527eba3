import type { LeadChannel, Vertical } from '@leadflow/contracts';
import { ContactCreated, ContactUpdated, LeadCreated, LeadDuplicateDetected } from '@leadflow/contracts';
import type { OutgoingEvent } from '@leadflow/platform/messaging';
import { OutboxWriter } from '@leadflow/platform/messaging';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ContactEntity } from '../contacts/contact.entity';
import { toContactPayload } from '../contacts/contact.view';
import { LeadEntity } from '../leads/lead.entity';
import { LEAD_INSERT_COLUMNS, leadInsertValues } from '../leads/lead-row';
import { toLeadPayload } from '../leads/lead.view';
import type { NormalizedLead } from '../normalization';
import type { DedupMatchKey, DedupScope } from '../webhooks/webhook.entity';

/** Where a lead came from and how it is to be de-duplicated. */
export interface LeadSource {
  organizationId: string;
  workspaceId: string;
  vertical: Vertical;
  channel: LeadChannel;
  webhookId: string;
  providerId: string | null;
  requestId: string | null;
  importId: string | null;
  importRow: number | null;
  idempotencyKey: string | null;
  dedup: { windowHours: number; match: readonly DedupMatchKey[]; scope: DedupScope };
  cost: string | null;
  currency: string | null;
  receivedAt: Date;
}

export type RecordResult =
  /** A new lead (and maybe a new contact). */
  | { kind: 'created'; lead: LeadEntity }
  /** The same person and vertical within the window: stored as a duplicate of `originalLeadId`. */
  | { kind: 'duplicate'; lead: LeadEntity; originalLeadId: string }
  /** The same external id from the same source, or the same Idempotency-Key: nothing new stored. */
  | { kind: 'replayed'; leadId: string; contactId: string; status: string };

/** Whose external ids are unique together: the provider's, else the webhook's. */
export function sourceKeyOf(source: Pick<LeadSource, 'providerId' | 'webhookId'>): string {
  return source.providerId ?? `webhook:${source.webhookId}`;
}

export function dedupScopeOf(source: Pick<LeadSource, 'dedup' | 'webhookId'>): string {
  return source.dedup.scope === 'organization' ? 'organization' : `webhook:${source.webhookId}`;
}

const INSERT_PLACEHOLDERS = LEAD_INSERT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ');

const CONTACT_COLUMNS = [
  'first_name',
  'last_name',
  'phone',
  'email',
  'address',
  'address2',
  'city',
  'state',
  'zip',
];

interface ContactRow {
  id: string;
  organization_id: string;
  workspace_id: string;
  dedup_scope: string;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  email: string | null;
  address: string | null;
  address2: string | null;
  city: string | null;
  state: string | null;
  zip: string | null;
  tags: string[];
  custom_fields: Record<string, unknown>;
  merged_into_id: string | null;
  created_at: Date;
  updated_at: Date;
}

function toContactEntity(r: ContactRow): ContactEntity {
  return Object.assign(new ContactEntity(), {
    id: r.id,
    organizationId: r.organization_id,
    workspaceId: r.workspace_id,
    dedupScope: r.dedup_scope,
    firstName: r.first_name,
    lastName: r.last_name,
    phone: r.phone,
    email: r.email,
    address: r.address,
    address2: r.address2,
    city: r.city,
    state: r.state,
    zip: r.zip,
    tags: r.tags,
    customFields: r.custom_fields,
    mergedIntoId: r.merged_into_id,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  } satisfies ContactEntity);
}

/**
 * Stores one normalized lead inside the caller's transaction — the single path every lead takes,
 * whether it came by webhook or CSV import:
 *
 * 1. takes transaction-scoped advisory locks on the lead's identities (external id, idempotency
 *    key, phone, e-mail; in sorted order, so concurrent posts of one person queue instead of
 *    racing and two transactions never deadlock);
 * 2. answers `replayed` when the source already sent this external id or idempotency key;
 * 3. finds the contact by phone, then e-mail, within the dedup scope, filling its blanks, or
 *    creates it;
 * 4. links a repeat of the same person and vertical within the window as a `duplicate` lead;
 * 5. inserts the lead and its outbox events (`lead.created` or `lead.duplicate_detected`, and
 *    `contact.created`/`contact.updated`), which commit or roll back with everything else.
 */
@Injectable()
export class LeadRecorder {
  constructor(private readonly outbox: OutboxWriter) {}

  async record(tx: EntityManager, lead: NormalizedLead, source: LeadSource): Promise<RecordResult> {
    const org = source.organizationId;
    const sourceKey = sourceKeyOf(source);
    const scope = dedupScopeOf(source);
    const externalId = source.dedup.match.includes('external_id') ? lead.externalId : null;
    const phone = source.dedup.match.includes('phone') ? lead.phone : null;
    const email = source.dedup.match.includes('email') ? lead.email : null;

    const locks: string[] = [];
    if (externalId) locks.push(`x|${org}|${sourceKey}|${externalId}`);
    if (source.idempotencyKey) locks.push(`i|${org}|${source.webhookId}|${source.idempotencyKey}`);
    if (phone) locks.push(`p|${org}|${scope}|${phone}`);
    if (email) locks.push(`e|${org}|${scope}|${email}`);
    if (locks.length > 0) {
      await tx.query(
        `SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0)))
           FROM (SELECT k FROM unnest($1::text[]) AS k ORDER BY k) AS keys`,
        [locks.sort()],
      );
    }

    if (externalId || source.idempotencyKey) {
      const [seen] = await tx.query<{ id: string; contact_id: string; status: string }[]>(
        `SELECT id, contact_id, status FROM ingestion.leads
          WHERE organization_id = $1
            AND ((source_key = $2 AND external_id = $3) OR (webhook_id = $4 AND idempotency_key = $5))
          LIMIT 1`,
        [org, sourceKey, externalId, source.webhookId, source.idempotencyKey],
      );
      if (seen) return { kind: 'replayed', leadId: seen.id, contactId: seen.contact_id, status: seen.status };
    }

    const events: OutgoingEvent<object>[] = [];
    const { contact, created } = await this.resolveContact(tx, lead, source, scope, phone, email, events);

    // A contact created just now has no earlier lead to be a duplicate of.
    let originalLeadId: string | null = null;
    if (!created && source.dedup.windowHours > 0) {
      const [original] = await tx.query<{ id: string }[]>(
        `SELECT id FROM ingestion.leads
          WHERE contact_id = $1 AND vertical = $2 AND status <> 'duplicate'
            AND created_at > $3::timestamptz - make_interval(hours => $4)
          ORDER BY created_at, id LIMIT 1`,
        [contact.id, source.vertical, source.receivedAt, source.dedup.windowHours],
      );
      originalLeadId = original?.id ?? null;
    }

    const now = source.receivedAt;
    const entity = Object.assign(new LeadEntity(), {
      id: uuidv7(),
      organizationId: org,
      workspaceId: source.workspaceId,
      contactId: contact.id,
      channel: source.channel,
      webhookId: source.webhookId,
      providerId: source.providerId,
      requestId: source.requestId,
      importId: source.importId,
      importRow: source.importRow,
      sourceKey,
      externalId: lead.externalId,
      idempotencyKey: source.idempotencyKey,
      vertical: source.vertical,
      status: originalLeadId ? 'duplicate' : 'new',
      statusReason: originalLeadId ? 'duplicate_of_recent_lead' : null,
      statusChangedAt: now,
      statusChangedBy: null,
      duplicateOfLeadId: originalLeadId,
      stageId: null,
      assignedTo: null,
      priority: 3,
      followUpAt: null,
      tags: [],
      firstName: lead.firstName,
      lastName: lead.lastName,
      phone: lead.phone,
      email: lead.email,
      address: lead.address,
      address2: lead.address2,
      city: lead.city,
      state: lead.state,
      zip: lead.zip,
      attributes: lead.attributes,
      consent: lead.consent,
      contactablePhone: lead.contactable.phone,
      contactableSms: lead.contactable.sms,
      contactableEmail: lead.contactable.email,
      tracking: lead.tracking,
      cost: source.cost,
      currency: source.cost ? source.currency : null,
      contactAttempts: 0,
      createdAt: now,
      updatedAt: now,
    } satisfies LeadEntity);
    // An external id already used by an older lead of this source (outside the lock's reach, e.g.
    // after dedupMatch changed) is kept on the lead's attributes instead of failing the insert.
    if (entity.externalId && !externalId) {
      const [taken] = await tx.query<unknown[]>(
        `SELECT 1 FROM ingestion.leads WHERE organization_id = $1 AND source_key = $2 AND external_id = $3`,
        [org, sourceKey, entity.externalId],
      );
      if (taken) {
        entity.attributes = { ...entity.attributes, externalIdReused: entity.externalId };
        entity.externalId = null;
      }
    }
    await this.insertLead(tx, entity);

    events.push(
      originalLeadId
        ? {
            contract: LeadDuplicateDetected,
            aggregateId: entity.id,
            organizationId: org,
            workspaceId: entity.workspaceId,
            payload: { lead: toLeadPayload(entity), originalLeadId },
          }
        : {
            contract: LeadCreated,
            aggregateId: entity.id,
            organizationId: org,
            workspaceId: entity.workspaceId,
            payload: toLeadPayload(entity),
          },
    );
    await this.outbox.add(tx, events);
    return originalLeadId
      ? { kind: 'duplicate', lead: entity, originalLeadId }
      : { kind: 'created', lead: entity };
  }

  private async resolveContact(
    tx: EntityManager,
    lead: NormalizedLead,
    source: LeadSource,
    scope: string,
    phone: string | null,
    email: string | null,
    events: OutgoingEvent<object>[],
  ): Promise<{ contact: ContactEntity; created: boolean }> {
    const org = source.organizationId;
    let found: ContactRow | undefined;
    if (phone || email) {
      // One query: the contact with this phone, else one with this e-mail and no other phone
      // (by e-mail only a contact without a different phone is the same person).
      [found] = await tx.query<ContactRow[]>(
        `SELECT * FROM ingestion.contacts
          WHERE organization_id = $1 AND dedup_scope = $2 AND merged_into_id IS NULL
            AND (phone = $3 OR (email = $4 AND (phone IS NULL OR $5::text IS NULL OR phone = $5)))
          ORDER BY (phone IS NOT DISTINCT FROM $3) DESC, created_at
          LIMIT 1`,
        [org, scope, phone, email, lead.phone],
      );
    }
    const values = [
      lead.firstName,
      lead.lastName,
      lead.phone,
      lead.email,
      lead.address,
      lead.address2,
      lead.city,
      lead.state,
      lead.zip,
    ];
    if (found) {
      const current = found as unknown as Record<string, string | null>;
      const blanksFilled = CONTACT_COLUMNS.some((c, i) => current[c] === null && values[i] !== null);
      if (!blanksFilled) return { contact: toContactEntity(found), created: false };
      // An UPDATE answers [rows, affected] through TypeORM.
      const [[updated]] = await tx.query<[ContactRow[], number]>(
        `UPDATE ingestion.contacts SET
            first_name = coalesce(first_name, $2), last_name = coalesce(last_name, $3),
            phone = coalesce(phone, $4), email = coalesce(email, $5), address = coalesce(address, $6),
            address2 = coalesce(address2, $7), city = coalesce(city, $8), state = coalesce(state, $9),
            zip = coalesce(zip, $10), updated_at = $11
          WHERE id = $1 RETURNING *`,
        [found.id, ...values, source.receivedAt],
      );
      const contact = toContactEntity(updated);
      events.push({
        contract: ContactUpdated,
        aggregateId: contact.id,
        organizationId: org,
        workspaceId: contact.workspaceId,
        payload: toContactPayload(contact),
      });
      return { contact, created: false };
    }
    const [inserted] = await tx.query<ContactRow[]>(
      `INSERT INTO ingestion.contacts (id, organization_id, workspace_id, dedup_scope, first_name, last_name,
          phone, email, address, address2, city, state, zip, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING *`,
      [uuidv7(), org, source.workspaceId, scope, ...values, source.receivedAt],
    );
    const contact = toContactEntity(inserted);
    events.push({
      contract: ContactCreated,
      aggregateId: contact.id,
      organizationId: org,
      workspaceId: contact.workspaceId,
      payload: toContactPayload(contact),
    });
    return { contact, created: true };
  }

  private async insertLead(tx: EntityManager, l: LeadEntity): Promise<void> {
    await tx.query(
      `INSERT INTO ingestion.leads (${LEAD_INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_PLACEHOLDERS})`,
      leadInsertValues(l, (value) => (value === null ? null : JSON.stringify(value))),
    );
  }
}
