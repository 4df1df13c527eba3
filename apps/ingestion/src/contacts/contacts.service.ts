import { personValuesOf } from './person-fields';
import type { Page } from '@leadflow/contracts';
import { ContactMerged, ContactUpdated, LeadUpdated } from '@leadflow/contracts';
import type { ClientInfo } from '@leadflow/platform/audit';
import { ChangeRecorder, actorOf } from '@leadflow/platform/audit';
import type { Principal } from '@leadflow/platform/auth';
import { tenantScopeOf } from '@leadflow/platform/auth';
import { NotFoundError } from '@leadflow/platform/errors';
import type { OutgoingEvent } from '@leadflow/platform/messaging';
import { UnitOfWork, nowMs, pageOf } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import type { LeadView } from '../leads/lead.view';
import { toLeadPayload, toLeadView } from '../leads/lead.view';
import { ContactEntity } from './contact.entity';
import type { ContactFields } from './contact-fields';
import { mergeContactFields, normalizeTags, patchCustomFields } from './contact-fields';
import { phoneFilterCandidates } from './contact-search';
import type { ContactDetailView, ContactView } from './contact.view';
import { toContactDetailView, toContactPayload, toContactView } from './contact.view';
import { ContactError, ContactErrorCode } from './contacts.errors';
import { ContactsRepository } from './contacts.repository';
import type {
  ContactLeadsQuery,
  ListContactsQuery,
  MergeContactDto,
  UpdateContactDto,
} from './dto/contact.dto';

export const ContactAuditActions = {
  updated: 'contact.updated',
  merged: 'contact.merged',
} as const;

const MaxCustomFieldKeys = 100;
const MaxCustomFieldBytes = 16_384;

/** A text field of a patch: absent stays absent, blank or `null` clears it. */
function textPatch(value: string | null | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  const text = value?.trim() ?? '';
  return text === '' ? null : text;
}

/**
 * The advisory-lock keys intake takes on a person's phone and e-mail within a dedup scope before
 * it looks their contact up (the keys LeadBatchWriter locks), so a merge and an intake of the same
 * person queue instead of racing.
 */
function identityLockKeys(
  organizationId: string,
  dedupScope: string,
  identity: { phone: string | null; email: string | null },
): string[] {
  const keys: string[] = [];
  if (identity.phone) keys.push(`p|${organizationId}|${dedupScope}|${identity.phone}`);
  if (identity.email) keys.push(`e|${organizationId}|${dedupScope}|${identity.email}`);
  return keys;
}

/** The identities a merge touches: both contacts', and the source's as they become the target's. */
function mergeLockKeys(contacts: readonly ContactEntity[], targetId: string): string[] {
  const target = contacts.find((c) => c.id === targetId);
  return contacts.flatMap((c) => [
    ...identityLockKeys(c.organizationId, c.dedupScope, c),
    ...(target && c.id !== targetId ? identityLockKeys(c.organizationId, target.dedupScope, c) : []),
  ]);
}

function fieldsOf(c: ContactEntity): ContactFields {
  return {
    ...personValuesOf(c),
    tags: c.tags,
    customFields: c.customFields,
  };
}

/** People behind the leads: search, corrections, and merging two records of one person. */
@Injectable()
export class ContactsService {
  constructor(
    private readonly contacts: ContactsRepository,
    private readonly uow: UnitOfWork,
    private readonly changes: ChangeRecorder,
  ) {}

  async list(principal: Principal, query: ListContactsQuery): Promise<Page<ContactView>> {
    const page = await this.contacts.list(tenantScopeOf(principal), {
      limit: query.limit,
      cursor: query.cursor,
      q: query.q,
      email: query.email,
      workspaceId: query.workspaceId,
      tag: query.tag,
      ...(query.phone !== undefined ? { phones: phoneFilterCandidates(query.phone) } : {}),
    });
    return pageOf(page, toContactView);
  }

  async get(principal: Principal, id: string): Promise<ContactDetailView> {
    const scope = tenantScopeOf(principal);
    const contact = await this.contacts.get(scope, id);
    return toContactDetailView(contact, await this.contacts.countLeads(scope, id));
  }

  async leads(principal: Principal, id: string, query: ContactLeadsQuery): Promise<Page<LeadView>> {
    const scope = tenantScopeOf(principal);
    await this.contacts.get(scope, id);
    return pageOf(await this.contacts.listLeads(scope, id, query), toLeadView);
  }

  async update(
    principal: Principal,
    id: string,
    dto: UpdateContactDto,
    client: ClientInfo,
  ): Promise<ContactDetailView> {
    const scope = tenantScopeOf(principal);
    return this.uow.run(async (tx) => {
      const current = await this.contacts.getForUpdate(tx, scope, id);
      const email = textPatch(dto.email);
      const wanted: Partial<ContactEntity> = {
        firstName: textPatch(dto.firstName),
        lastName: textPatch(dto.lastName),
        email: email === undefined || email === null ? email : email.toLowerCase(),
        address: textPatch(dto.address),
        address2: textPatch(dto.address2),
        city: textPatch(dto.city),
        state: textPatch(dto.state),
        zip: textPatch(dto.zip),
        tags: dto.tags === undefined ? undefined : normalizeTags(dto.tags),
        customFields:
          dto.customFields === undefined
            ? undefined
            : patchCustomFields(current.customFields, dto.customFields),
      };
      if (wanted.customFields !== undefined) {
        const size = Buffer.byteLength(JSON.stringify(wanted.customFields));
        if (Object.keys(wanted.customFields).length > MaxCustomFieldKeys || size > MaxCustomFieldBytes) {
          throw ContactError.of(ContactErrorCode.CustomFieldsTooLarge, {
            maxKeys: MaxCustomFieldKeys,
            maxBytes: MaxCustomFieldBytes,
          });
        }
      }
      const patch: Partial<ContactEntity> = {};
      for (const [key, value] of Object.entries(wanted) as [keyof ContactEntity, unknown][]) {
        if (value !== undefined && JSON.stringify(value) !== JSON.stringify(current[key])) {
          (patch as Record<string, unknown>)[key] = value;
        }
      }
      const changed = Object.keys(patch);
      if (changed.length === 0) {
        return toContactDetailView(current, await this.contacts.countLeads(scope, id, tx));
      }
      const updated = Object.assign(new ContactEntity(), current, patch, { updatedAt: nowMs() });
      await this.contacts.update(tx, scope, id, { ...patch, updatedAt: updated.updatedAt });
      await this.changes.record(tx, {
        events: [
          {
            contract: ContactUpdated,
            aggregateId: id,
            organizationId: updated.organizationId,
            workspaceId: updated.workspaceId,
            payload: toContactPayload(updated),
          },
        ],
        audit: {
          organizationId: principal.organizationId,
          actor: actorOf(principal),
          action: ContactAuditActions.updated,
          target: { type: 'contact', id },
          client,
          details: { changed },
        },
      });
      return toContactDetailView(updated, await this.contacts.countLeads(scope, id, tx));
    });
  }

  /**
   * Merges the contact `sourceContactId` into `targetId` in one transaction: the target's blank
   * fields are filled from the source, tags united and custom fields merged (the target wins),
   * every lead of the source moves to the target with a timeline entry, and the source is marked
   * merged (it answers 404 from then on). Emits `contact.merged` and `lead.updated` per moved lead.
   */
  async merge(
    principal: Principal,
    targetId: string,
    dto: MergeContactDto,
    client: ClientInfo,
  ): Promise<ContactDetailView> {
    const scope = tenantScopeOf(principal);
    const sourceId = dto.sourceContactId;
    if (sourceId === targetId) throw ContactError.of(ContactErrorCode.SelfMerge);
    const ids = [targetId, sourceId];
    return this.uow.run(async (tx) => {
      // Intake's identity locks first (it takes them before touching contacts), then the rows.
      const keys = mergeLockKeys(await this.contacts.findMany(scope, ids, { tx }), targetId);
      await this.contacts.lockIdentities(tx, keys);
      const locked = await this.contacts.findMany(scope, ids, { tx, lock: true });
      const lateKeys = mergeLockKeys(locked, targetId).filter((k) => !keys.includes(k));
      await this.contacts.lockIdentities(tx, lateKeys);

      const target = locked.find((c) => c.id === targetId);
      const source = locked.find((c) => c.id === sourceId);
      if (!target || target.mergedIntoId !== null) throw new NotFoundError('contact', targetId);
      if (!source) throw new NotFoundError('contact', sourceId);
      if (source.mergedIntoId !== null)
        throw ContactError.of(ContactErrorCode.AlreadyMerged, {
          id: sourceId,
          mergedIntoId: source.mergedIntoId,
        });

      const organizationId = principal.organizationId;
      const now = nowMs();
      const { merged, changed } = mergeContactFields(fieldsOf(target), fieldsOf(source));
      const patch: Partial<ContactEntity> = {};
      for (const key of changed) (patch as Record<string, unknown>)[key] = merged[key];
      const updated = Object.assign(new ContactEntity(), target, patch, { updatedAt: now });
      await this.contacts.update(tx, scope, targetId, { ...patch, updatedAt: now });
      await this.contacts.markMerged(tx, organizationId, sourceId, targetId, now);
      const moved = await this.contacts.findLeads(
        tx,
        organizationId,
        await this.contacts.moveLeads(tx, organizationId, sourceId, targetId, now),
      );
      await this.contacts.insertActivities(
        tx,
        moved.map((l) => ({ id: uuidv7(), leadId: l.id })),
        {
          organizationId,
          type: 'update',
          title: 'Contact merged',
          description: `Contact ${sourceId} was merged into ${targetId}; the lead moved with it`,
          actor: actorOf(principal),
          metadata: { fromContactId: sourceId, toContactId: targetId },
          at: now,
        },
      );
      const events: OutgoingEvent<object>[] = [
        {
          contract: ContactMerged,
          aggregateId: targetId,
          organizationId,
          workspaceId: updated.workspaceId,
          payload: {
            contact: toContactPayload(updated),
            mergedContactId: sourceId,
            movedLeads: moved.length,
          },
        },
        ...moved.map((lead) => ({
          contract: LeadUpdated,
          aggregateId: lead.id,
          organizationId,
          workspaceId: lead.workspaceId,
          payload: { lead: toLeadPayload(lead), changed: ['contactId'] },
        })),
      ];
      await this.changes.record(tx, {
        events,
        audit: {
          organizationId,
          actor: actorOf(principal),
          action: ContactAuditActions.merged,
          target: { type: 'contact', id: targetId },
          client,
          details: { mergedContactId: sourceId, movedLeads: moved.length, filled: changed },
        },
      });
      return toContactDetailView(updated, await this.contacts.countLeads(scope, targetId, tx));
    });
  }
}
