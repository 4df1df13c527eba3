import type { PersonValues } from '../contacts/person-fields';
import { PersonFields, personValuesOf } from '../contacts/person-fields';
import type { NormalizedLead } from '@leadflow/normalization';
import type { DedupMatchKey } from '../webhooks/webhook.entity';

/** One lead of a batch, as normalization accepted it. */
export interface BatchLead {
  /** Its position: the file row of an import, the post's place in an intake batch. */
  row: number;
  lead: NormalizedLead;
  /**
   * Whose external ids and idempotency keys it shares a namespace with: its provider's id, else
   * `webhook:<id>` (see `sourceKeyOf`).
   */
  sourceKey: string;
  /** The post's `Idempotency-Key` (unique per webhook and source), if any. */
  idempotencyKey: string | null;
}

/** A lead stored earlier (by another transaction, or by an earlier row of the batch). */
export interface PriorLead {
  leadId: string;
  contactId: string;
  status: string;
}

/** The key of `BatchSnapshot.priorLeads` for an external id of a source. */
export function externalIdRef(sourceKey: string, externalId: string): string {
  return `x\u0000${sourceKey}\u0000${externalId}`;
}

/** The key of `BatchSnapshot.priorLeads` for an idempotency key of a source (on the batch's webhook). */
export function idempotencyRef(sourceKey: string, key: string): string {
  return `i\u0000${sourceKey}\u0000${key}`;
}

/** A contact as a batch sees and changes it (a lead fills its blank person fields). */
export interface ContactState extends PersonValues {
  id: string;
  workspaceId: string;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
  /** Created by this batch (no other transaction can see it yet). */
  isNew: boolean;
  /** For an existing contact: its `updated_at` when it was read (to detect a concurrent change). */
  readUpdatedAt: Date | null;
}

/** What the database holds for the batch's identities, read after their advisory locks were taken. */
export interface BatchSnapshot {
  /** Unmerged contacts of the dedup scope whose phone or e-mail is one of the batch's. */
  contacts: readonly ContactState[];
  /**
   * Leads already stored with one of the batch's external ids (by the same source) or idempotency
   * keys (by the same source on the same webhook), by `externalIdRef` / `idempotencyRef`.
   */
  priorLeads: ReadonlyMap<string, PriorLead>;
  /**
   * Existing contact id → its earliest lead of the vertical within the window that is not a
   * duplicate (not needed, and may be empty, when neither phone nor e-mail is a dedup key).
   */
  recentOriginals: ReadonlyMap<string, string>;
}

export interface BatchSettings {
  match: readonly DedupMatchKey[];
  windowHours: number;
  workspaceId: string;
  /** The time every lead and contact of the batch is stamped with. */
  receivedAt: Date;
  /** A new UUIDv7 (monotonic: rows get ascending ids in row order). */
  newId: () => string;
}

export type RowOutcome =
  /** The same external id, or the same idempotency key, from the same source: nothing stored. */
  | { kind: 'replayed'; row: number; prior: PriorLead }
  | {
      kind: 'stored';
      row: number;
      lead: NormalizedLead;
      leadId: string;
      contactId: string;
      /** The contact after this row, when this row created it or filled its blanks. */
      contactEvent: { kind: 'created' | 'updated'; contact: ContactState } | null;
      status: 'new' | 'duplicate';
      originalLeadId: string | null;
      externalId: string | null;
      attributes: Record<string, unknown>;
    };

export interface BatchPlan {
  outcomes: RowOutcome[];
  /** Contacts to insert, with their values after the whole batch. */
  createdContacts: ContactState[];
  /** Existing contacts whose blanks the batch filled, with their values after the whole batch. */
  updatedContacts: ContactState[];
}

/**
 * Lock keys and look-up values of a batch. The lock keys are the identities every writer of leads
 * (webhook batches, import batches, contact merges) locks before it reads them, so two writers of
 * the same person queue instead of racing: `x|org|source|external id`, `i|org|webhook|source|
 * idempotency key`, `p|org|scope|phone`, `e|org|scope|e-mail`. Phones and e-mails are always
 * locked and looked up (they say who the contact is); external ids only when they are a dedup key.
 */
export interface BatchIdentities {
  locks: string[];
  phones: string[];
  emails: string[];
  /** External ids and their sources, pairwise. */
  externalIds: { sourceKeys: string[]; values: string[] };
  /** Idempotency keys and their sources, pairwise (all of the batch's webhook). */
  idempotencyKeys: { sourceKeys: string[]; values: string[] };
}

export function batchIdentities(
  rows: readonly BatchLead[],
  match: readonly DedupMatchKey[],
  key: { organizationId: string; webhookId: string; scope: string },
): BatchIdentities {
  const locks = new Set<string>();
  const phones = new Set<string>();
  const emails = new Set<string>();
  const externalIds = new Map<string, [string, string]>();
  const idempotencyKeys = new Map<string, [string, string]>();
  const { organizationId: org, webhookId, scope } = key;
  for (const { lead, sourceKey, idempotencyKey } of rows) {
    if (lead.externalId) {
      externalIds.set(externalIdRef(sourceKey, lead.externalId), [sourceKey, lead.externalId]);
      if (match.includes('external_id')) locks.add(`x|${org}|${sourceKey}|${lead.externalId}`);
    }
    if (idempotencyKey) {
      idempotencyKeys.set(idempotencyRef(sourceKey, idempotencyKey), [sourceKey, idempotencyKey]);
      locks.add(`i|${org}|${webhookId}|${sourceKey}|${idempotencyKey}`);
    }
    if (lead.phone) {
      phones.add(lead.phone);
      locks.add(`p|${org}|${scope}|${lead.phone}`);
    }
    if (lead.email) {
      emails.add(lead.email);
      locks.add(`e|${org}|${scope}|${lead.email}`);
    }
  }
  return {
    locks: [...locks].sort(),
    phones: [...phones],
    emails: [...emails],
    externalIds: pairwise(externalIds.values()),
    idempotencyKeys: pairwise(idempotencyKeys.values()),
  };
}

function pairwise(pairs: Iterable<[string, string]>): { sourceKeys: string[]; values: string[] } {
  const sourceKeys: string[] = [];
  const values: string[] = [];
  for (const [source, value] of pairs) {
    sourceKeys.push(source);
    values.push(value);
  }
  return { sourceKeys, values };
}

/**
 * Whether a lead reached its contact through an identifier that is a dedup key: the phone (a
 * dedup key) the contact already had, or likewise the e-mail. Only then can it be a duplicate.
 */
function matchedByDedupKey(
  contact: Pick<ContactState, 'phone' | 'email'>,
  lead: NormalizedLead,
  match: readonly DedupMatchKey[],
): boolean {
  return (
    (match.includes('phone') && lead.phone !== null && contact.phone === lead.phone) ||
    (match.includes('email') && lead.email !== null && contact.email === lead.email)
  );
}

function byAge(a: ContactState, b: ContactState): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The contacts a batch can reach, indexed by phone and by e-mail. */
class ContactIndex {
  private readonly byPhone = new Map<string, ContactState>();
  private readonly byEmail = new Map<string, ContactState[]>();

  constructor(contacts: readonly ContactState[]) {
    for (const contact of [...contacts].sort(byAge)) this.add(contact);
  }

  /** By phone the contact with that phone (the oldest, should there be several). */
  withPhone(phone: string): ContactState | undefined {
    return this.byPhone.get(phone);
  }

  /**
   * By e-mail the oldest contact with that e-mail and no different phone — when the lead has no
   * phone, one without a phone first.
   */
  withEmail(email: string, leadPhone: string | null): ContactState | undefined {
    const candidates = (this.byEmail.get(email) ?? []).filter(
      (c) => c.phone === null || leadPhone === null || c.phone === leadPhone,
    );
    return (leadPhone === null ? candidates.find((c) => c.phone === null) : undefined) ?? candidates[0];
  }

  add(contact: ContactState): void {
    if (contact.phone !== null) this.addPhone(contact);
    if (contact.email !== null) this.addEmail(contact);
  }

  addPhone(contact: ContactState): void {
    if (contact.phone === null) return;
    const current = this.byPhone.get(contact.phone);
    if (current === undefined || byAge(contact, current) < 0) this.byPhone.set(contact.phone, contact);
  }

  addEmail(contact: ContactState): void {
    if (contact.email === null) return;
    const list = this.byEmail.get(contact.email) ?? [];
    const at = list.findIndex((c) => byAge(contact, c) < 0);
    list.splice(at === -1 ? list.length : at, 0, contact);
    this.byEmail.set(contact.email, list);
  }
}

/**
 * Decides, row by row in order, what happens to each lead as if the rows had been posted one after
 * another — against the snapshot of the database (read under the batch's advisory locks, so nobody
 * else can change what it covers) and everything earlier rows of the batch did:
 *
 * 1. a lead whose external id the source already used (in the database or earlier in the batch,
 *    when `external_id` is a dedup key), or whose idempotency key the same source already used on
 *    the webhook, is `replayed` with the lead stored then: nothing is stored;
 * 2. the contact — one person within the dedup scope, whatever the dedup keys — is the (oldest)
 *    one with the lead's phone, else the oldest with its e-mail and no different phone (one
 *    without a phone first when the lead has no phone); its blank columns are filled from the
 *    lead. Otherwise a contact is created;
 * 3. when the contact was reached through a dedup key (`phone` and it had the lead's phone, or
 *    `email` and it had the lead's e-mail) and already has a lead of the vertical within the
 *    window that is not a duplicate (in the database, or earlier in the batch), the lead is
 *    stored as a `duplicate` of the earliest one;
 * 4. an external id that is not a dedup key but is already used is moved to
 *    `attributes.externalIdReused`, as the unique index allows it only once.
 *
 * Pure: the caller writes the plan set-based (COPY) in the same transaction.
 */
export function planBatch(
  rows: readonly BatchLead[],
  snapshot: BatchSnapshot,
  settings: BatchSettings,
): BatchPlan {
  const { match, receivedAt } = settings;
  const contacts = new ContactIndex(snapshot.contacts);
  const priorLeads = new Map(snapshot.priorLeads);
  const firstNewLead = new Map<string, string>();
  const createdContacts: ContactState[] = [];
  const updatedContacts = new Set<ContactState>();
  const outcomes: RowOutcome[] = [];

  for (const { row, lead, sourceKey, idempotencyKey } of rows) {
    const matchedExternalId = match.includes('external_id') ? lead.externalId : null;
    const prior =
      (matchedExternalId ? priorLeads.get(externalIdRef(sourceKey, matchedExternalId)) : undefined) ??
      (idempotencyKey ? priorLeads.get(idempotencyRef(sourceKey, idempotencyKey)) : undefined);
    if (prior) {
      outcomes.push({ kind: 'replayed', row, prior });
      continue;
    }
    let contact = lead.phone ? contacts.withPhone(lead.phone) : undefined;
    if (!contact && lead.email) contact = contacts.withEmail(lead.email, lead.phone);
    // Judged on the contact as found, before this lead fills its blanks.
    const dedupMatched = contact !== undefined && matchedByDedupKey(contact, lead, match);

    let contactEvent: { kind: 'created' | 'updated'; contact: ContactState } | null = null;
    if (contact) {
      const found = contact;
      const filled = PersonFields.filter((field) => found[field] === null && lead[field] !== null);
      if (filled.length > 0) {
        for (const field of filled) found[field] = lead[field];
        found.updatedAt = receivedAt;
        if (filled.includes('phone')) contacts.addPhone(found);
        if (filled.includes('email')) contacts.addEmail(found);
        if (!found.isNew) updatedContacts.add(found);
        contactEvent = { kind: 'updated', contact: { ...found } };
      }
    } else {
      contact = {
        id: settings.newId(),
        workspaceId: settings.workspaceId,
        ...personValuesOf(lead),
        tags: [],
        createdAt: receivedAt,
        updatedAt: receivedAt,
        isNew: true,
        readUpdatedAt: null,
      };
      createdContacts.push(contact);
      contacts.add(contact);
      contactEvent = { kind: 'created', contact: { ...contact } };
    }

    // The contact's earliest recent lead that is not a duplicate, as a lead posted alone would see
    // it; this lead duplicates it only when it reached the contact through a dedup key.
    const recentOriginal =
      settings.windowHours > 0
        ? (snapshot.recentOriginals.get(contact.id) ?? firstNewLead.get(contact.id) ?? null)
        : null;
    const originalLeadId = dedupMatched ? recentOriginal : null;
    const leadId = settings.newId();
    if (recentOriginal === null && !firstNewLead.has(contact.id)) firstNewLead.set(contact.id, leadId);

    const status = originalLeadId ? 'duplicate' : 'new';
    const stored: PriorLead = { leadId, contactId: contact.id, status };
    let externalId = lead.externalId;
    let attributes = lead.attributes;
    if (externalId !== null) {
      const ref = externalIdRef(sourceKey, externalId);
      if (!matchedExternalId && priorLeads.has(ref)) {
        attributes = { ...attributes, externalIdReused: externalId };
        externalId = null;
      } else {
        priorLeads.set(ref, stored);
      }
    }
    if (idempotencyKey) priorLeads.set(idempotencyRef(sourceKey, idempotencyKey), stored);
    outcomes.push({
      kind: 'stored',
      row,
      lead,
      leadId,
      contactId: contact.id,
      contactEvent,
      status,
      originalLeadId,
      externalId,
      attributes,
    });
  }
  return { outcomes, createdContacts, updatedContacts: [...updatedContacts] };
}
