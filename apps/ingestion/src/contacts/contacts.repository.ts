import type { Page } from '@leadflow/contracts';
import { NotFoundError } from '@leadflow/platform/errors';
import type { TenantScope } from '@leadflow/platform/persistence';
import { TenantRepository, keysetPage } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, In, IsNull } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { ActivityType } from '../leads/lead-history.entities';
import { LeadEntity } from '../leads/lead.entity';
import { ContactEntity } from './contact.entity';
import { containsPattern, phoneSearchDigits } from './contact-search';

export interface ContactListQuery {
  limit: number;
  cursor?: string;
  q?: string;
  /** E.164 spellings the phone filter may mean (empty: nothing matches). */
  phones?: string[];
  email?: string;
  workspaceId?: string;
  tag?: string;
}

/** A timeline entry written for each of a set of leads at once. */
export interface BulkActivity {
  organizationId: string;
  type: ActivityType;
  title: string;
  description: string | null;
  actor: { type: string; id: string | null };
  metadata: Record<string, unknown>;
  at: Date;
}

@Injectable()
export class ContactsRepository {
  private readonly contacts: TenantRepository<ContactEntity>;
  private readonly leads: TenantRepository<LeadEntity>;

  constructor(dataSource: DataSource) {
    this.contacts = new TenantRepository(dataSource.getRepository(ContactEntity), 'contact');
    this.leads = new TenantRepository(dataSource.getRepository(LeadEntity), 'lead');
  }

  /** Contacts the scope can see, newest first; merged ones are gone. */
  list(scope: TenantScope, query: ContactListQuery): Promise<Page<ContactEntity>> {
    const qb = this.contacts.queryBuilder(scope, 'c').andWhere('c.mergedIntoId IS NULL');
    if (query.workspaceId !== undefined) qb.andWhere('c.workspaceId = :ws', { ws: query.workspaceId });
    if (query.email !== undefined)
      qb.andWhere('c.email = :email', { email: query.email.trim().toLowerCase() });
    if (query.phones !== undefined) {
      qb.andWhere('c.phone IN (:...phones)', { phones: query.phones.length > 0 ? query.phones : [null] });
    }
    if (query.tag !== undefined) qb.andWhere('c.tags @> ARRAY[:tag]::text[]', { tag: query.tag.trim() });
    const q = query.q?.trim();
    if (q) {
      const digits = phoneSearchDigits(q);
      qb.andWhere(
        new Brackets((w) => {
          w.where(`concat_ws(' ', c.firstName, c.lastName) ILIKE :qLike`, {
            qLike: containsPattern(q),
          }).orWhere('c.email ILIKE :qLike');
          if (digits) w.orWhere('c.phone LIKE :qDigits', { qDigits: containsPattern(digits) });
        }),
      );
    }
    return keysetPage(qb, 'c', query);
  }

  /** A contact that was not merged away; 404 otherwise (or when the scope cannot see it). */
  async get(scope: TenantScope, id: string, tx?: EntityManager): Promise<ContactEntity> {
    const contact = await (tx ? this.contacts.within(tx) : this.contacts).findOne(scope, {
      id,
      mergedIntoId: IsNull(),
    });
    if (!contact) throw new NotFoundError('contact', id);
    return contact;
  }

  /** Like `get`, holding the row until the transaction ends. */
  async getForUpdate(tx: EntityManager, scope: TenantScope, id: string): Promise<ContactEntity> {
    const contact = await this.contacts
      .within(tx)
      .queryBuilder(scope, 'c')
      .andWhere('c.id = :id AND c.mergedIntoId IS NULL', { id })
      .setLock('pessimistic_write')
      .getOne();
    if (!contact) throw new NotFoundError('contact', id);
    return contact;
  }

  /** The contacts of `ids` the scope can see, merged ones included, optionally locked in id order. */
  findMany(
    scope: TenantScope,
    ids: readonly string[],
    options: { tx?: EntityManager; lock?: boolean } = {},
  ): Promise<ContactEntity[]> {
    const qb = (options.tx ? this.contacts.within(options.tx) : this.contacts)
      .queryBuilder(scope, 'c')
      .andWhere('c.id IN (:...ids)', { ids: [...ids] })
      .orderBy('c.id', 'ASC');
    if (options.lock) qb.setLock('pessimistic_write');
    return qb.getMany();
  }

  async update(
    tx: EntityManager,
    scope: TenantScope,
    id: string,
    patch: Partial<ContactEntity>,
  ): Promise<void> {
    await this.contacts.within(tx).update(scope, { id }, patch);
  }

  /**
   * Waits for (and holds until commit) the advisory locks intake takes on a person's identities
   * before it looks up their contact, so no lead is attached to a contact while it is merged away.
   */
  async lockIdentities(tx: EntityManager, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await tx.query(
      `SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0)))
         FROM (SELECT k FROM unnest($1::text[]) AS k ORDER BY k) AS keys`,
      [[...new Set(keys)].sort()],
    );
  }

  /**
   * Marks `sourceId` merged into `targetId`, and points contacts merged into the source earlier at
   * the target too (so a chain never forms).
   */
  async markMerged(
    tx: EntityManager,
    organizationId: string,
    sourceId: string,
    targetId: string,
    at: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE ingestion.contacts SET merged_into_id = $3, updated_at = $4
        WHERE organization_id = $1 AND (id = $2 OR merged_into_id = $2)`,
      [organizationId, sourceId, targetId, at],
    );
  }

  /** Moves every lead of `sourceId` to `targetId`, whatever its workspace; answers their ids. */
  async moveLeads(
    tx: EntityManager,
    organizationId: string,
    sourceId: string,
    targetId: string,
    at: Date,
  ): Promise<string[]> {
    // TypeORM answers an UPDATE's raw query as [rows, affected count].
    const [rows] = await tx.query<[{ id: string }[], number]>(
      `UPDATE ingestion.leads SET contact_id = $3, updated_at = $4
        WHERE organization_id = $1 AND contact_id = $2
        RETURNING id`,
      [organizationId, sourceId, targetId, at],
    );
    return rows.map((r) => r.id);
  }

  /** The organization's leads of `ids`, oldest first. */
  findLeads(tx: EntityManager, organizationId: string, ids: readonly string[]): Promise<LeadEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.leads
      .within(tx)
      .find({ organizationId }, { where: { id: In([...ids]) }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** One timeline entry per lead of `leadIds`, in one statement. */
  async insertActivities(
    tx: EntityManager,
    entries: { id: string; leadId: string }[],
    activity: BulkActivity,
  ): Promise<void> {
    if (entries.length === 0) return;
    await tx.query(
      `INSERT INTO ingestion.lead_activities (id, organization_id, workspace_id, lead_id, type, title, description,
          actor_type, actor_id, actor_name, metadata, occurred_at, created_at)
       SELECT e.id, l.organization_id, l.workspace_id, l.id, $4, $5, $6, $7, $8, NULL, $9::jsonb, $10, $10
         FROM unnest($2::uuid[], $3::uuid[]) AS e (id, lead_id)
         JOIN ingestion.leads l ON l.id = e.lead_id AND l.organization_id = $1`,
      [
        activity.organizationId,
        entries.map((e) => e.id),
        entries.map((e) => e.leadId),
        activity.type,
        activity.title,
        activity.description,
        activity.actor.type,
        activity.actor.id,
        JSON.stringify(activity.metadata),
        activity.at,
      ],
    );
  }

  /** How many leads of the contact the scope can see. */
  countLeads(scope: TenantScope, contactId: string, tx?: EntityManager): Promise<number> {
    return (tx ? this.leads.within(tx) : this.leads).count(scope, { contactId });
  }

  /** The contact's leads the scope can see, newest first. */
  listLeads(
    scope: TenantScope,
    contactId: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<LeadEntity>> {
    const qb = this.leads.queryBuilder(scope, 'l').andWhere('l.contactId = :contactId', { contactId });
    return keysetPage(qb, 'l', query);
  }
}
