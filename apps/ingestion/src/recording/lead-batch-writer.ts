import { personValuesOf } from '../contacts/person-fields';
import type { LeadChannel, Vertical } from '@leadflow/contracts';
import { ContactCreated, ContactUpdated, LeadCreated, LeadDuplicateDetected } from '@leadflow/contracts';
import type { OutgoingEvent } from '@leadflow/platform/messaging';
import { OutboxWriter } from '@leadflow/platform/messaging';
import { Injectable } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ContactEntity } from '../contacts/contact.entity';
import { toContactPayload } from '../contacts/contact.view';
import { LeadEntity } from '../leads/lead.entity';
import { toLeadPayload } from '../leads/lead.view';
import type { DedupMatchKey } from '../webhooks/webhook.entity';
import type { BatchLead, ContactState, RowOutcome } from './lead-batch-plan';
import { batchIdentities, planBatch } from './lead-batch-plan';
import { LeadBatchRepository } from './lead-batch.repository';
import type { StepTimings } from './step-timings';
import { timed } from './step-timings';
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
  constructor(
    private readonly batches: LeadBatchRepository,
    private readonly outbox: OutboxWriter,
  ) {}

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
      await timed(timings, 'identityLocks', () => this.batches.lockIdentities(runner, identities.locks));
    }
    const snapshot = await timed(timings, 'snapshot', () =>
      this.batches.snapshot(runner, target, identities, receivedAt),
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
      const locked = await this.batches.lockContacts(
        runner,
        plan.updatedContacts.map((c) => c.id),
      );
      const readAt = new Map(plan.updatedContacts.map((c) => [c.id, c.readUpdatedAt?.getTime()]));
      if (locked.some((row) => new Date(row.updated_at).getTime() !== readAt.get(row.id))) {
        throw new ConcurrentContactChangeError();
      }
    }

    if (plan.createdContacts.length > 0) {
      await timed(timings, 'copyContacts', () =>
        this.batches.copyContacts(runner, target, plan.createdContacts),
      );
    }
    if (plan.updatedContacts.length > 0) await this.batches.fillContacts(runner, plan.updatedContacts);

    // Leads after their contacts, then the events. Payloads, envelopes and COPY lines are made
    // lazily while COPY pulls them rather than all at once for the batch.
    const byRow = new Map(rows.map((r) => [r.row, r]));
    const stored = plan.outcomes.filter((o) => o.kind === 'stored');
    const leads = stored.map((outcome) => leadEntityOf(outcome, byRow.get(outcome.row)!, target, receivedAt));
    if (leads.length > 0) {
      await timed(timings, 'copyLeads', () => this.batches.copyLeads(runner, leads));
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
    const client = await this.batches.clientOf(runner);
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
}

function contactEntityOf(c: ContactState, organizationId: string, scope: string): ContactEntity {
  return Object.assign(new ContactEntity(), {
    id: c.id,
    organizationId,
    workspaceId: c.workspaceId,
    dedupScope: scope,
    ...personValuesOf(c),
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
    ...personValuesOf(lead),
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
