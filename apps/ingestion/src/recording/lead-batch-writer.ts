import type { LeadChannel, Vertical } from '@leadflow/contracts';
import { ContactCreated, ContactUpdated, LeadCreated, LeadDuplicateDetected } from '@leadflow/contracts';
import type { OutgoingEvent } from '@leadflow/platform/messaging';
import { OutboxWriter } from '@leadflow/platform/messaging';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { QueryRunner } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ContactEntity } from '../contacts/contact.entity';
import { toContactPayload } from '../contacts/contact.view';
import { LeadEntity } from '../leads/lead.entity';
import { LEAD_INSERT_COLUMNS, leadInsertValues } from '../leads/lead-row';
import { toLeadPayload } from '../leads/lead.view';
import type { DedupMatchKey } from '../webhooks/webhook.entity';
import type { BatchLead, BatchSnapshot, ContactState, PriorLead, RowOutcome } from './lead-batch-plan';
import { batchIdentities, externalIdRef, idempotencyRef, planBatch } from './lead-batch-plan';
import type { CopyValue } from '@leadflow/platform/persistence';
import { CopyJson, copyRows } from '@leadflow/platform/persistence';
import { ConcurrentContactChangeError } from './write-errors';

/** The webhook a batch of leads came through, and how they are de-duplicated. */
export interface BatchTarget {
  organizationId: string;
  workspaceId: string;
  webhookId: string;
  vertical: Vertical;
  channel: LeadChannel;
  dedup: { windowHours: number; match: readonly DedupMatchKey[] };
  /** `organization` or `webhook:<id>` (see `dedupScopeOf`). */
  scope: string;
}

/** A lead to store, with where it came from. */
export interface LeadToStore extends BatchLead {
  providerId: string | null;
  /** The intake request log row of a webhook post. */
  requestId: string | null;
  importId: string | null;
  importRow: number | null;
  /** What the provider charges for the lead (for ROI), and its currency. */
  cost: string | null;
  currency: string | null;
  /** The correlation id of the lead's events (the post's request, or the import). */
  correlationId: string | undefined;
}

/** What a batch stored: an outcome per lead (in order) and the new leads by row. */
export interface StoredBatch {
  outcomes: RowOutcome[];
  leads: ReadonlyMap<number, LeadEntity>;
}

/** Milliseconds spent per step of the batches of a run (for logs and benchmarks). */
export type StepTimings = Record<string, number>;

export function timed<T>(timings: StepTimings | undefined, step: string, work: () => Promise<T>): Promise<T> {
  if (!timings) return work();
  const began = performance.now();
  return work().finally(() => (timings[step] = (timings[step] ?? 0) + performance.now() - began));
}

/** The pg client under a runner: COPY runs on it, inside the runner's transaction. */
export async function pgClientOf(runner: QueryRunner): Promise<PoolClient> {
  return (await runner.connect()) as PoolClient;
}

interface ContactRow {
  id: string;
  workspace_id: string;
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
  created_at: Date;
  updated_at: Date;
}

const CONTACT_COLUMNS = [
  'id',
  'organization_id',
  'workspace_id',
  'dedup_scope',
  'first_name',
  'last_name',
  'phone',
  'email',
  'address',
  'address2',
  'city',
  'state',
  'zip',
  'created_at',
  'updated_at',
] as const;

function leadCopyValues(l: LeadEntity): CopyValue[] {
  return leadInsertValues(l, (value) => new CopyJson(value));
}

function contactStateOf(r: ContactRow): ContactState {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
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
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    isNew: false,
    readUpdatedAt: new Date(r.updated_at),
  };
}

/**
 * Stores a batch of normalized leads of one webhook inside the caller's transaction, set-based —
 * the one path every lead takes, whether posted to a webhook (a batch of the posts that arrived
 * together) or imported (a batch of file rows):
 *
 * 1. takes transaction-scoped advisory locks on the batch's identities (external ids, idempotency
 *    keys, phones, e-mails) in one statement, in sorted order: concurrent writers of one person
 *    queue instead of racing, and never deadlock on each other's keys;
 * 2. reads what the database holds for them (earlier leads with the same external id or
 *    idempotency key from the same source, the contacts with the phones and e-mails, their recent
 *    leads of the vertical);
 * 3. plans each lead in order (`planBatch`: replayed, new, or a duplicate of a recent lead; the
 *    contact found, filled or created);
 * 4. writes contacts, leads and their outbox events (`lead.created` or `lead.duplicate_detected`,
 *    `contact.created`/`contact.updated`) with COPY, committed or rolled back with the caller's
 *    other rows.
 */
@Injectable()
export class LeadBatchWriter {
  constructor(private readonly outbox: OutboxWriter) {}

  async write(
    runner: QueryRunner,
    target: BatchTarget,
    rows: readonly LeadToStore[],
    receivedAt: Date,
    timings?: StepTimings,
  ): Promise<StoredBatch> {
    const org = target.organizationId;
    const identities = batchIdentities(rows, target.dedup.match, {
      organizationId: org,
      webhookId: target.webhookId,
      scope: target.scope,
    });
    if (identities.locks.length > 0) {
      await timed(timings, 'identityLocks', () =>
        runner.manager.query(
          `SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0)))
             FROM (SELECT k FROM unnest($1::text[]) AS k ORDER BY k) AS keys`,
          [identities.locks],
        ),
      );
    }
    const snapshot = await timed(timings, 'snapshot', () =>
      this.snapshot(runner, target, identities, receivedAt),
    );
    const plan = planBatch(rows, snapshot, {
      match: target.dedup.match,
      windowHours: target.dedup.windowHours,
      workspaceId: target.workspaceId,
      receivedAt,
      newId: uuidv7,
    });

    if (plan.updatedContacts.length > 0) {
      // Row locks in id order; a contact changed since it was read (a writer that reached it by a
      // key the batch does not hold) makes the plan stale: the batch is retried.
      const locked = await runner.manager.query<{ id: string; updated_at: Date }[]>(
        `SELECT id, updated_at FROM ingestion.contacts WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
        [plan.updatedContacts.map((c) => c.id)],
      );
      const readAt = new Map(plan.updatedContacts.map((c) => [c.id, c.readUpdatedAt?.getTime()]));
      if (locked.some((row) => new Date(row.updated_at).getTime() !== readAt.get(row.id))) {
        throw new ConcurrentContactChangeError();
      }
    }

    const client = await pgClientOf(runner);
    if (plan.createdContacts.length > 0) {
      await timed(timings, 'copyContacts', () =>
        copyRows(
          client,
          'ingestion.contacts',
          CONTACT_COLUMNS,
          plan.createdContacts.map((c) => [
            c.id,
            org,
            c.workspaceId,
            target.scope,
            c.firstName,
            c.lastName,
            c.phone,
            c.email,
            c.address,
            c.address2,
            c.city,
            c.state,
            c.zip,
            c.createdAt,
            c.updatedAt,
          ]),
        ),
      );
    }
    if (plan.updatedContacts.length > 0) await this.fillContacts(runner, plan.updatedContacts);

    // Leads after their contacts, then the events. Payloads, envelopes and COPY lines are made
    // lazily while COPY pulls them rather than all at once for the batch.
    const byRow = new Map(rows.map((r) => [r.row, r]));
    const stored = plan.outcomes.filter((o) => o.kind === 'stored');
    const leads = stored.map((outcome) => leadEntityOf(outcome, byRow.get(outcome.row)!, target, receivedAt));
    if (leads.length > 0) {
      await timed(timings, 'copyLeads', () =>
        copyRows(client, 'ingestion.leads', LEAD_INSERT_COLUMNS, mapLazily(leads, leadCopyValues)),
      );
    }
    const contactEvent = (
      contact: ContactState,
      kind: 'created' | 'updated',
      correlationId: string | undefined,
    ): OutgoingEvent<object> => ({
      contract: kind === 'created' ? ContactCreated : ContactUpdated,
      aggregateId: contact.id,
      organizationId: org,
      workspaceId: contact.workspaceId,
      correlationId,
      occurredAt: receivedAt,
      payload: toContactPayload(contactEntityOf(contact, org, target.scope)),
    });
    function* newAggregateEvents(): Generator<OutgoingEvent<object>> {
      for (const [index, outcome] of stored.entries()) {
        const lead = leads[index];
        const { correlationId } = byRow.get(outcome.row)!;
        const changed = outcome.contactEvent;
        if (changed?.contact.isNew) yield contactEvent(changed.contact, changed.kind, correlationId);
        const base = {
          aggregateId: lead.id,
          organizationId: org,
          workspaceId: lead.workspaceId,
          correlationId,
          occurredAt: receivedAt,
        };
        yield outcome.originalLeadId
          ? {
              ...base,
              contract: LeadDuplicateDetected,
              payload: { lead: toLeadPayload(lead), originalLeadId: outcome.originalLeadId },
            }
          : { ...base, contract: LeadCreated, payload: toLeadPayload(lead) };
      }
    }
    await timed(timings, 'outbox', () => this.outbox.copyForNewAggregates(client, newAggregateEvents()));
    const existingAggregateEvents = stored.flatMap((outcome) =>
      outcome.contactEvent && !outcome.contactEvent.contact.isNew
        ? [
            contactEvent(
              outcome.contactEvent.contact,
              outcome.contactEvent.kind,
              byRow.get(outcome.row)!.correlationId,
            ),
          ]
        : [],
    );
    if (existingAggregateEvents.length > 0) await this.outbox.add(runner.manager, existingAggregateEvents);
    return { outcomes: plan.outcomes, leads: new Map(leads.map((lead, i) => [stored[i].row, lead])) };
  }

  /** Fills the blanks of existing contacts with the values the batch left them with. */
  private async fillContacts(runner: QueryRunner, u: readonly ContactState[]): Promise<void> {
    await runner.manager.query(
      `UPDATE ingestion.contacts AS c SET
          first_name = coalesce(c.first_name, u.first_name), last_name = coalesce(c.last_name, u.last_name),
          phone = coalesce(c.phone, u.phone), email = coalesce(c.email, u.email),
          address = coalesce(c.address, u.address), address2 = coalesce(c.address2, u.address2),
          city = coalesce(c.city, u.city), state = coalesce(c.state, u.state), zip = coalesce(c.zip, u.zip),
          updated_at = u.updated_at
        FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                    $8::text[], $9::text[], $10::text[], $11::timestamptz[])
          AS u(id, first_name, last_name, phone, email, address, address2, city, state, zip, updated_at)
       WHERE c.id = u.id AND c.id = ANY($1::uuid[])`,
      [
        u.map((c) => c.id),
        u.map((c) => c.firstName),
        u.map((c) => c.lastName),
        u.map((c) => c.phone),
        u.map((c) => c.email),
        u.map((c) => c.address),
        u.map((c) => c.address2),
        u.map((c) => c.city),
        u.map((c) => c.state),
        u.map((c) => c.zip),
        u.map((c) => c.updatedAt),
      ],
    );
  }

  /**
   * What the database holds for the batch's identities (read after their locks were taken). Each
   * look-up is one index probe per key (`unnest` + LATERAL), whatever the planner's statistics
   * say: a freshly imported table's stale estimates must not turn a probe into a scan of every
   * lead of the source, once per batch.
   */
  private async snapshot(
    runner: QueryRunner,
    target: BatchTarget,
    identities: ReturnType<typeof batchIdentities>,
    receivedAt: Date,
  ): Promise<BatchSnapshot> {
    const org = target.organizationId;
    const priorLeads = new Map<string, PriorLead>();
    if (identities.externalIds.values.length > 0 || identities.idempotencyKeys.values.length > 0) {
      const found = await runner.manager.query<
        { kind: 'x' | 'i'; source_key: string; ref: string; id: string; contact_id: string; status: string }[]
      >(
        `SELECT 'x' AS kind, k.source_key, k.ref, l.id, l.contact_id, l.status
           FROM unnest($2::text[], $3::text[]) AS k(source_key, ref)
           CROSS JOIN LATERAL (SELECT id, contact_id, status FROM ingestion.leads
                                WHERE organization_id = $1 AND source_key = k.source_key AND external_id = k.ref
                                LIMIT 1) AS l
         UNION ALL
         SELECT 'i', k.source_key, k.ref, l.id, l.contact_id, l.status
           FROM unnest($5::text[], $6::text[]) AS k(source_key, ref)
           CROSS JOIN LATERAL (SELECT id, contact_id, status FROM ingestion.leads
                                WHERE organization_id = $1 AND webhook_id = $4 AND source_key = k.source_key
                                  AND idempotency_key = k.ref
                                LIMIT 1) AS l`,
        [
          org,
          identities.externalIds.sourceKeys,
          identities.externalIds.values,
          target.webhookId,
          identities.idempotencyKeys.sourceKeys,
          identities.idempotencyKeys.values,
        ],
      );
      for (const r of found) {
        const ref = r.kind === 'x' ? externalIdRef(r.source_key, r.ref) : idempotencyRef(r.source_key, r.ref);
        priorLeads.set(ref, { leadId: r.id, contactId: r.contact_id, status: r.status });
      }
    }
    const columns = `c.id, c.workspace_id, c.first_name, c.last_name, c.phone, c.email, c.address, c.address2,
                     c.city, c.state, c.zip, c.tags, c.created_at, c.updated_at`;
    const contacts =
      identities.phones.length === 0 && identities.emails.length === 0
        ? []
        : await runner.manager.query<ContactRow[]>(
            `SELECT ${columns} FROM unnest($3::text[]) AS k(phone)
               CROSS JOIN LATERAL (SELECT * FROM ingestion.contacts
                                    WHERE organization_id = $1 AND dedup_scope = $2 AND phone = k.phone
                                      AND merged_into_id IS NULL OFFSET 0) AS c
             UNION
             SELECT ${columns} FROM unnest($4::text[]) AS k(email)
               CROSS JOIN LATERAL (SELECT * FROM ingestion.contacts
                                    WHERE organization_id = $1 AND dedup_scope = $2 AND email = k.email
                                      AND merged_into_id IS NULL OFFSET 0) AS c`,
            [org, target.scope, identities.phones, identities.emails],
          );
    // Only a lead that reached its contact by a phone or e-mail dedup key can be a duplicate.
    const personKeys = target.dedup.match.includes('phone') || target.dedup.match.includes('email');
    const originals =
      contacts.length === 0 || target.dedup.windowHours <= 0 || !personKeys
        ? []
        : await runner.manager.query<{ contact_id: string; id: string }[]>(
            `SELECT k.contact_id, o.id FROM unnest($1::uuid[]) AS k(contact_id)
               CROSS JOIN LATERAL (SELECT id FROM ingestion.leads
                                    WHERE contact_id = k.contact_id AND vertical = $2 AND status <> 'duplicate'
                                      AND created_at > $3::timestamptz - make_interval(hours => $4)
                                    ORDER BY created_at, id LIMIT 1) AS o`,
            [contacts.map((c) => c.id), target.vertical, receivedAt, target.dedup.windowHours],
          );
    return {
      contacts: contacts.map(contactStateOf),
      priorLeads,
      recentOriginals: new Map(originals.map((r) => [r.contact_id, r.id])),
    };
  }
}

function* mapLazily<T, U>(items: Iterable<T>, map: (item: T) => U): Generator<U> {
  for (const item of items) yield map(item);
}

function contactEntityOf(c: ContactState, organizationId: string, scope: string): ContactEntity {
  return Object.assign(new ContactEntity(), {
    id: c.id,
    organizationId,
    workspaceId: c.workspaceId,
    dedupScope: scope,
    firstName: c.firstName,
    lastName: c.lastName,
    phone: c.phone,
    email: c.email,
    address: c.address,
    address2: c.address2,
    city: c.city,
    state: c.state,
    zip: c.zip,
    tags: c.tags,
    customFields: {},
    mergedIntoId: null,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  } satisfies ContactEntity);
}

function leadEntityOf(
  outcome: Extract<RowOutcome, { kind: 'stored' }>,
  source: LeadToStore,
  target: BatchTarget,
  receivedAt: Date,
): LeadEntity {
  const lead = outcome.lead;
  return Object.assign(new LeadEntity(), {
    id: outcome.leadId,
    organizationId: target.organizationId,
    workspaceId: target.workspaceId,
    contactId: outcome.contactId,
    channel: target.channel,
    webhookId: target.webhookId,
    providerId: source.providerId,
    requestId: source.requestId,
    importId: source.importId,
    importRow: source.importRow,
    sourceKey: source.sourceKey,
    externalId: outcome.externalId,
    idempotencyKey: source.idempotencyKey,
    vertical: target.vertical,
    status: outcome.status,
    statusReason: outcome.originalLeadId ? 'duplicate_of_recent_lead' : null,
    statusChangedAt: receivedAt,
    statusChangedBy: null,
    duplicateOfLeadId: outcome.originalLeadId,
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
    attributes: outcome.attributes,
    consent: lead.consent,
    contactablePhone: lead.contactable.phone,
    contactableSms: lead.contactable.sms,
    contactableEmail: lead.contactable.email,
    tracking: lead.tracking,
    cost: source.cost,
    currency: source.cost ? source.currency : null,
    contactAttempts: 0,
    createdAt: receivedAt,
    updatedAt: receivedAt,
  } satisfies LeadEntity);
}
