import type { Vertical } from '@leadflow/contracts';
import { ContactCreated, ContactUpdated, LeadCreated, LeadDuplicateDetected } from '@leadflow/contracts';
import type { OutgoingEvent } from '@leadflow/platform/messaging';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { QueryRunner } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ContactEntity } from '../contacts/contact.entity';
import { toContactPayload } from '../contacts/contact.view';
import { LeadEntity } from '../leads/lead.entity';
import { LEAD_INSERT_COLUMNS, leadInsertValues } from '../leads/lead-row';
import { toLeadPayload } from '../leads/lead.view';
import type { FieldIssue, NormalizedLead } from '../normalization';
import type { DedupMatchKey } from '../webhooks/webhook.entity';
import type { AcceptedRow, BatchSnapshot, ContactState, RowOutcome } from './import-batch-plan';
import { batchIdentities, planBatch } from './import-batch-plan';
import { ImportEventWriter } from './import-event-writer';
import type { CopyValue } from './pg-copy';
import { CopyJson, copyRows } from './pg-copy';

/** One data row of a batch, as the reader and normalization left it. */
export type BatchRow =
  | { kind: 'accepted'; row: number; endOffset: number; lead: NormalizedLead }
  | { kind: 'rejected'; row: number; endOffset: number; errors: FieldIssue[]; raw: string[] }
  /** A row with no value at all (a spreadsheet's trailing `,,,`): skipped, not counted. */
  | { kind: 'blank'; row: number; endOffset: number };

/** Consecutive rows: the first follows `afterRow`, the last committed row before the batch. */
export interface ImportBatch {
  afterRow: number;
  rows: BatchRow[];
}

/** The import a batch belongs to and the webhook settings its leads are stored with. */
export interface ImportTarget {
  importId: string;
  organizationId: string;
  workspaceId: string;
  webhookId: string;
  vertical: Vertical;
  correlationId: string;
  dedup: { windowHours: number; match: readonly DedupMatchKey[] };
  /** Whose external ids are unique together (`webhook:<id>`: imports have no provider). */
  sourceKey: string;
  /** `organization` or `webhook:<id>`. */
  scope: string;
}

export interface BatchCounts {
  processed: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

/** Milliseconds spent per step of the batches of a run (for the completion log and the bench). */
export type StepTimings = Record<string, number>;

function timed<T>(timings: StepTimings, step: string, work: () => Promise<T>): Promise<T> {
  const began = performance.now();
  return work().finally(() => (timings[step] = (timings[step] ?? 0) + performance.now() - began));
}

export type BatchResult =
  | { kind: 'committed'; counts: BatchCounts; lastRow: number; endOffset: number }
  /** The import is no longer running (cancelled): nothing of the batch was stored. */
  | { kind: 'stopped'; status: string }
  /** Another run already committed past `afterRow` (this run lost its claim): nothing stored. */
  | { kind: 'superseded'; lastRow: number };

/** A contact read under the batch's locks changed before its row lock was taken: retry the batch. */
export class ConcurrentContactChangeError extends Error {
  constructor() {
    super('a contact the batch fills changed concurrently; the batch is retried');
    this.name = 'ConcurrentContactChangeError';
  }
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

const LEAD_COLUMNS = LEAD_INSERT_COLUMNS;

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

/** The outbox row OutboxWriter writes (`seq` and `created_at` take their defaults). */
const OUTBOX_COLUMNS = ['id', 'topic', 'message_key', 'type', 'value', 'headers'] as const;

const REJECTION_COLUMNS = ['import_id', 'row_number', 'organization_id', 'errors', 'raw'] as const;

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
 * Stores one batch of an import in one transaction on the import's own connection — the
 * set-based counterpart of LeadRecorder, with the same outcome for every row as if the rows had
 * been posted one by one in file order (see `planBatch`):
 *
 * 1. locks the import's row and checks it is still running and that the batch follows the last
 *    committed row (a resumed or competing run never stores a row twice; the unique index
 *    `leads_import_row` is the last guard);
 * 2. takes LeadRecorder's transaction-scoped advisory locks on every identity of the batch
 *    (external id, phone, e-mail per dedup scope), in one statement in sorted order. Webhook
 *    intake of the same person therefore waits for the batch (and the batch for it) exactly as
 *    two webhook posts wait for each other, and since every taker sorts its keys the same way
 *    there is no deadlock. A coarser lock per dedup scope would take fewer lock-table entries,
 *    but LeadRecorder does not take it, so it would not keep a concurrent webhook post from
 *    creating a second contact for a phone the batch is creating. The batch size is bounded by
 *    its number of keys instead (see ImportProcessor);
 * 3. reads, set-based, what the database holds for those identities (used external ids, the
 *    contacts with the batch's phones and e-mails, their recent original leads), plans the batch
 *    in memory, and writes it set-based: contacts, leads, rejected rows and the events of new
 *    leads and contacts with COPY (see ImportEventWriter), filled blanks with one UPDATE, and the
 *    import's counters and resume position — all committed together.
 */
@Injectable()
export class ImportBatchRecorder {
  constructor(private readonly events: ImportEventWriter) {}

  async record(
    runner: QueryRunner,
    target: ImportTarget,
    batch: ImportBatch,
    timings: StepTimings = {},
  ): Promise<BatchResult> {
    const last = batch.rows[batch.rows.length - 1];
    if (!last) throw new Error('an import batch needs at least one row');
    await runner.startTransaction();
    try {
      const result = await this.write(runner, target, batch, last, timings);
      if (result.kind === 'committed') await timed(timings, 'commit', () => runner.commitTransaction());
      else await runner.rollbackTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    }
  }

  private async write(
    runner: QueryRunner,
    target: ImportTarget,
    batch: ImportBatch,
    last: BatchRow,
    timings: StepTimings,
  ): Promise<BatchResult> {
    const [progress] = await timed(timings, 'progressLock', () =>
      runner.manager.query<{ status: string; last_row: number }[]>(
        `SELECT status, last_row FROM ingestion.imports WHERE id = $1 FOR UPDATE`,
        [target.importId],
      ),
    );
    if (!progress || progress.status !== 'running')
      return { kind: 'stopped', status: progress?.status ?? 'gone' };
    if (progress.last_row !== batch.afterRow) return { kind: 'superseded', lastRow: progress.last_row };

    const receivedAt = new Date(Date.now());
    const accepted: AcceptedRow[] = [];
    const rejected: Extract<BatchRow, { kind: 'rejected' }>[] = [];
    for (const row of batch.rows) {
      if (row.kind === 'accepted') accepted.push(row);
      else if (row.kind === 'rejected') rejected.push(row);
    }

    const outcomes =
      accepted.length > 0 ? await this.storeLeads(runner, target, accepted, receivedAt, timings) : [];
    if (rejected.length > 0) {
      await timed(timings, 'copyRejections', async () =>
        copyRows(
          await this.client(runner),
          'ingestion.import_rejections',
          REJECTION_COLUMNS,
          rejected.map((r) => [
            target.importId,
            r.row,
            target.organizationId,
            new CopyJson(r.errors),
            new CopyJson(r.raw),
          ]),
        ),
      );
    }

    const counts: BatchCounts = {
      processed: accepted.length + rejected.length,
      accepted: outcomes.filter((o) => o.kind === 'stored' && o.status === 'new').length,
      duplicates: outcomes.filter((o) => o.kind === 'replayed' || o.status === 'duplicate').length,
      rejected: rejected.length,
    };
    await timed(timings, 'progressUpdate', () =>
      runner.manager.query(
        `UPDATE ingestion.imports
          SET processed = processed + $2, accepted = accepted + $3, duplicates = duplicates + $4,
              rejected = rejected + $5, last_row = $6, resume_offset = $7, updated_at = $8
        WHERE id = $1`,
        [
          target.importId,
          counts.processed,
          counts.accepted,
          counts.duplicates,
          counts.rejected,
          last.row,
          last.endOffset,
          receivedAt,
        ],
      ),
    );
    return { kind: 'committed', counts, lastRow: last.row, endOffset: last.endOffset };
  }

  private async storeLeads(
    runner: QueryRunner,
    target: ImportTarget,
    rows: AcceptedRow[],
    receivedAt: Date,
    timings: StepTimings,
  ): Promise<RowOutcome[]> {
    const org = target.organizationId;
    const identities = batchIdentities(rows, target.dedup.match, {
      organizationId: org,
      sourceKey: target.sourceKey,
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
      // Row locks in id order; a contact changed since it was read (a post that reached it by a key
      // the batch does not hold) makes the plan stale: the batch is retried.
      const locked = await runner.manager.query<{ id: string; updated_at: Date }[]>(
        `SELECT id, updated_at FROM ingestion.contacts WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
        [plan.updatedContacts.map((c) => c.id)],
      );
      const readAt = new Map(plan.updatedContacts.map((c) => [c.id, c.readUpdatedAt?.getTime()]));
      if (locked.some((row) => new Date(row.updated_at).getTime() !== readAt.get(row.id))) {
        throw new ConcurrentContactChangeError();
      }
    }

    const client = await this.client(runner);
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
    if (plan.updatedContacts.length > 0) {
      const u = plan.updatedContacts;
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

    // Leads after their contacts, then the events. Payloads, envelopes and COPY lines are made
    // lazily while COPY pulls them rather than all at once for the batch.
    const stored = plan.outcomes.filter((o) => o.kind === 'stored');
    const leads = stored.map((outcome) => leadEntityOf(outcome, target, receivedAt));
    if (leads.length > 0) {
      await timed(timings, 'copyLeads', () =>
        copyRows(client, 'ingestion.leads', LEAD_COLUMNS, mapLazily(leads, leadCopyValues)),
      );
    }
    const base = { organizationId: org, correlationId: target.correlationId, occurredAt: receivedAt };
    const contactEvent = (contact: ContactState, kind: 'created' | 'updated'): OutgoingEvent<object> => ({
      ...base,
      contract: kind === 'created' ? ContactCreated : ContactUpdated,
      aggregateId: contact.id,
      workspaceId: contact.workspaceId,
      payload: toContactPayload(contactEntityOf(contact, org, target.scope)),
    });
    function* newAggregateEvents(): Generator<OutgoingEvent<object>> {
      for (const [index, outcome] of stored.entries()) {
        const changed = outcome.contactEvent;
        if (changed?.contact.isNew) yield contactEvent(changed.contact, changed.kind);
        const lead = leads[index];
        yield outcome.originalLeadId
          ? {
              ...base,
              contract: LeadDuplicateDetected,
              aggregateId: lead.id,
              workspaceId: lead.workspaceId,
              payload: { lead: toLeadPayload(lead), originalLeadId: outcome.originalLeadId },
            }
          : {
              ...base,
              contract: LeadCreated,
              aggregateId: lead.id,
              workspaceId: lead.workspaceId,
              payload: toLeadPayload(lead),
            };
      }
    }
    await timed(timings, 'outbox', () =>
      copyRows(
        client,
        'ingestion.outbox',
        OUTBOX_COLUMNS,
        mapLazily(this.events.messagesForNewAggregates(newAggregateEvents()), (m) => [
          m.id,
          m.topic,
          m.key,
          m.type,
          m.value,
          new CopyJson(m.headers),
        ]),
      ),
    );
    const existingAggregateEvents = stored.flatMap((outcome) =>
      outcome.contactEvent && !outcome.contactEvent.contact.isNew
        ? [contactEvent(outcome.contactEvent.contact, outcome.contactEvent.kind)]
        : [],
    );
    if (existingAggregateEvents.length > 0) await this.events.add(runner.manager, existingAggregateEvents);
    return plan.outcomes;
  }

  /**
   * What the database holds for the batch's identities (read after their locks were taken). Each
   * look-up is one index probe per key (`unnest` + LATERAL), whatever the planner's statistics
   * say: a freshly imported table's stale estimates must not turn a probe into a scan of every
   * lead of the source, once per batch.
   */
  private async snapshot(
    runner: QueryRunner,
    target: ImportTarget,
    identities: ReturnType<typeof batchIdentities>,
    receivedAt: Date,
  ): Promise<BatchSnapshot> {
    const org = target.organizationId;
    const used =
      identities.externalIds.length === 0
        ? []
        : await runner.manager.query<{ external_id: string }[]>(
            `SELECT k.external_id FROM unnest($3::text[]) AS k(external_id)
               CROSS JOIN LATERAL (SELECT 1 FROM ingestion.leads
                                    WHERE organization_id = $1 AND source_key = $2 AND external_id = k.external_id
                                    LIMIT 1) AS used`,
            [org, target.sourceKey, identities.externalIds],
          );
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
    const originals =
      contacts.length === 0 || target.dedup.windowHours <= 0
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
      usedExternalIds: new Set(used.map((r) => r.external_id)),
      recentOriginals: new Map(originals.map((r) => [r.contact_id, r.id])),
    };
  }

  /** The pg client under the runner: COPY runs on it, inside the runner's transaction. */
  private async client(runner: QueryRunner): Promise<PoolClient> {
    return (await runner.connect()) as PoolClient;
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
  target: ImportTarget,
  receivedAt: Date,
): LeadEntity {
  const lead = outcome.lead;
  return Object.assign(new LeadEntity(), {
    id: outcome.leadId,
    organizationId: target.organizationId,
    workspaceId: target.workspaceId,
    contactId: outcome.contactId,
    channel: 'import',
    webhookId: target.webhookId,
    providerId: null,
    requestId: null,
    importId: target.importId,
    importRow: outcome.row,
    sourceKey: target.sourceKey,
    externalId: outcome.externalId,
    idempotencyKey: null,
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
    cost: null,
    currency: null,
    contactAttempts: 0,
    createdAt: receivedAt,
    updatedAt: receivedAt,
  } satisfies LeadEntity);
}
