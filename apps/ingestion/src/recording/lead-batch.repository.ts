import { PersonColumns, PersonFields, personValuesOfRow } from '../contacts/person-fields';
import type { CopyValue } from '@leadflow/platform/persistence';
import { CopyJson, copyRows } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import type { QueryRunner } from 'typeorm';
import type { LeadEntity } from '../leads/lead.entity';
import { LEAD_INSERT_COLUMNS, leadInsertValues } from '../leads/lead-row';
import type { BatchTarget } from './lead-batch-writer';
import type { BatchSnapshot, ContactState, PriorLead, batchIdentities } from './lead-batch-plan';
import { externalIdRef, idempotencyRef } from './lead-batch-plan';
import type { StepTimings } from './step-timings';
import { timed } from './step-timings';

/** A contact as the snapshot reads it: its person columns and these. */
interface ContactRow extends Record<string, unknown> {
  id: string;
  workspace_id: string;
  tags: string[];
  created_at: Date;
  updated_at: Date;
}

const CONTACT_COLUMNS = [
  'id',
  'organization_id',
  'workspace_id',
  'dedup_scope',
  ...PersonColumns,
  'created_at',
  'updated_at',
];

/** The contact columns the snapshot reads. */
const SNAPSHOT_COLUMNS = ['id', 'workspace_id', ...PersonColumns, 'tags', 'created_at', 'updated_at']
  .map((column) => `c.${column}`)
  .join(', ');

/** `first_name = coalesce(c.first_name, u.first_name), …`: a batch fills only blanks. */
const FILL_BLANKS = PersonColumns.map((column) => `${column} = coalesce(c.${column}, u.${column})`).join(
  ', ',
);

function leadCopyValues(l: LeadEntity): CopyValue[] {
  return leadInsertValues(l, (value) => new CopyJson(value));
}

function contactStateOf(r: ContactRow): ContactState {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    ...personValuesOfRow(r),
    tags: r.tags,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    isNew: false,
    readUpdatedAt: new Date(r.updated_at),
  };
}

function* mapLazily<T, U>(items: Iterable<T>, map: (item: T) => U): Generator<U> {
  for (const item of items) yield map(item);
}

/**
 * The SQL of the lead batches (LeadBatchWriter, and the writers that call it: intake's group
 * commit, the import batches): their connections and transactions, the identity locks, the
 * snapshot look-ups, and the COPYs of contacts and leads — all on the caller's query runner, inside
 * its transaction.
 */
@Injectable()
export class LeadBatchRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** A query runner of its own for a writer's batches (connected and released by the caller). */
  queryRunner(): QueryRunner {
    return this.dataSource.createQueryRunner();
  }

  /** The pg client under a runner: COPY runs on it, inside the runner's transaction. */
  async clientOf(runner: QueryRunner): Promise<PoolClient> {
    return (await runner.connect()) as PoolClient;
  }

  /**
   * Runs `work` in a transaction on the runner: committed (timed as `commit`) when `keep` says so
   * of its result, rolled back otherwise; rolled back and rethrown when it fails.
   */
  async transaction<T>(
    runner: QueryRunner,
    work: () => Promise<T>,
    options: { keep?: (result: T) => boolean; timings?: StepTimings } = {},
  ): Promise<T> {
    try {
      await runner.startTransaction();
      const result = await work();
      if (options.keep?.(result) ?? true)
        await timed(options.timings, 'commit', () => runner.commitTransaction());
      else await runner.rollbackTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    }
  }

  /** Transaction-scoped advisory locks on the keys, in one statement, in sorted order. */
  async lockIdentities(runner: QueryRunner, keys: readonly string[]): Promise<void> {
    await runner.manager.query(
      `SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0)))
         FROM (SELECT k FROM unnest($1::text[]) AS k ORDER BY k) AS keys`,
      [keys],
    );
  }

  /** Row locks on the contacts in id order; their `updated_at` as the locks found it. */
  lockContacts(runner: QueryRunner, ids: readonly string[]): Promise<{ id: string; updated_at: Date }[]> {
    return runner.manager.query<{ id: string; updated_at: Date }[]>(
      `SELECT id, updated_at FROM ingestion.contacts WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
      [ids],
    );
  }

  /** COPYs new contacts (of the batch's organization and dedup scope). */
  async copyContacts(
    runner: QueryRunner,
    target: BatchTarget,
    contacts: readonly ContactState[],
  ): Promise<void> {
    await copyRows(
      await this.clientOf(runner),
      'ingestion.contacts',
      CONTACT_COLUMNS,
      contacts.map((c) => [
        c.id,
        target.organizationId,
        c.workspaceId,
        target.scope,
        ...PersonFields.map((field) => c[field]),
        c.createdAt,
        c.updatedAt,
      ]),
    );
  }

  /** COPYs new leads; their COPY lines are made lazily while COPY pulls them. */
  async copyLeads(runner: QueryRunner, leads: readonly LeadEntity[]): Promise<void> {
    await copyRows(
      await this.clientOf(runner),
      'ingestion.leads',
      LEAD_INSERT_COLUMNS,
      mapLazily(leads, leadCopyValues),
    );
  }

  /** Fills the blanks of existing contacts with the values the batch left them with. */
  async fillContacts(runner: QueryRunner, u: readonly ContactState[]): Promise<void> {
    // $1 the ids, $2… one text[] per person column, then the new updated_at.
    const arrays = PersonColumns.map((_, k) => `$${k + 2}::text[]`).join(', ');
    const updatedAt = PersonColumns.length + 2;
    await runner.manager.query(
      `UPDATE ingestion.contacts AS c SET ${FILL_BLANKS}, updated_at = u.updated_at
        FROM unnest($1::uuid[], ${arrays}, $${updatedAt}::timestamptz[])
          AS u(id, ${PersonColumns.join(', ')}, updated_at)
       WHERE c.id = u.id AND c.id = ANY($1::uuid[])`,
      [u.map((c) => c.id), ...PersonFields.map((field) => u.map((c) => c[field])), u.map((c) => c.updatedAt)],
    );
  }

  /**
   * What the database holds for the batch's identities (read after their locks were taken). Each
   * look-up is one index probe per key (`unnest` + LATERAL), whatever the planner's statistics
   * say: a freshly imported table's stale estimates must not turn a probe into a scan of every
   * lead of the source, once per batch.
   */
  async snapshot(
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
    const columns = SNAPSHOT_COLUMNS;
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
