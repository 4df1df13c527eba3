import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { IntakeOutcome, PlanQuotas } from '@leadflow/contracts';
import { CopyJson, copyRows } from '@leadflow/platform/persistence';
import type { PoolClient } from 'pg';
import { OrganizationCopyEntity } from '../directory/directory.entities';
import { storable } from '@leadflow/normalization';
import { ProviderEntity } from '../providers/provider.entity';
import { WebhookEntity } from '../webhooks/webhook.entity';
import type { IntakeRequestEntity } from './intake-request.entity';
import { Coalescer } from '../common/coalescer';

interface ContextKey {
  webhookId: string;
  providerId: string | null;
}

export interface IntakeContext {
  webhook: WebhookEntity;
  /** The provider named by the request, if it is one of the webhook's organization. */
  provider: ProviderEntity | null;
  /** The organization's plan quotas, once identity's events have arrived. */
  quotas: PlanQuotas | null;
}

/** A stored post's request log row: the post as received and what became of it. */
export interface StoredRequest {
  request: Omit<IntakeRequestEntity, 'outcome' | 'httpStatus' | 'code' | 'errors' | 'leadId'>;
  outcome: IntakeOutcome;
  httpStatus: number;
  code: string | null;
  leadId: string;
}

const REQUEST_COLUMNS = [
  'id',
  'organization_id',
  'workspace_id',
  'webhook_id',
  'provider_id',
  'outcome',
  'http_status',
  'code',
  'errors',
  'lead_id',
  'idempotency_key',
  'content_type',
  'raw_body',
  'raw_body_bytes',
  'ip',
  'user_agent',
  'received_at',
] as const;

/** What intake reads and writes outside the lead batches: contexts, the request log of refusals, counts. */
@Injectable()
export class IntakeRepository {
  /** Concurrent posts share one query for their contexts. */
  private readonly contexts = new Coalescer<ContextKey, IntakeContext | null>((keys) =>
    this.loadContexts(keys),
  );

  constructor(private readonly dataSource: DataSource) {}

  /** Everything a post needs to be judged: webhook, provider and plan quotas. */
  context(webhookId: string, providerId: string | null): Promise<IntakeContext | null> {
    return this.contexts.load({ webhookId, providerId });
  }

  private async loadContexts(keys: ContextKey[]): Promise<(IntakeContext | null)[]> {
    const webhookIds = [...new Set(keys.map((k) => k.webhookId))];
    const providerIds = [...new Set(keys.flatMap((k) => (k.providerId ? [k.providerId] : [])))];
    const rows = await this.dataSource
      .getRepository(WebhookEntity)
      .createQueryBuilder('w')
      .leftJoinAndMapMany(
        'w.providers',
        ProviderEntity,
        'p',
        'p.id = ANY(:providerIds) AND p.organizationId = w.organizationId',
        { providerIds },
      )
      .leftJoinAndMapOne('w.organization', OrganizationCopyEntity, 'o', 'o.id = w.organizationId')
      .where('w.id = ANY(:webhookIds)', { webhookIds })
      .getMany();
    const found = new Map(
      rows.map((row) => {
        const { providers, organization, ...webhook } = row as WebhookEntity & {
          providers?: ProviderEntity[];
          organization?: OrganizationCopyEntity;
        };
        return [
          webhook.id,
          { webhook: Object.assign(new WebhookEntity(), webhook), providers, organization },
        ];
      }),
    );
    return keys.map(({ webhookId, providerId }) => {
      const hit = found.get(webhookId);
      if (!hit) return null;
      return {
        webhook: hit.webhook,
        provider: hit.providers?.find((p) => p.id === providerId) ?? null,
        quotas: hit.organization?.quotas ?? null,
      };
    });
  }

  async insertRequest(tx: EntityManager, r: IntakeRequestEntity): Promise<void> {
    await tx.query(
      `INSERT INTO ingestion.intake_requests (id, organization_id, workspace_id, webhook_id, provider_id, outcome,
          http_status, code, errors, lead_id, idempotency_key, content_type, raw_body, raw_body_bytes, ip, user_agent,
          received_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
      [
        r.id,
        r.organizationId,
        r.workspaceId,
        r.webhookId,
        r.providerId,
        r.outcome,
        r.httpStatus,
        r.code,
        JSON.stringify(storable(r.errors)),
        r.leadId,
        r.idempotencyKey,
        r.contentType,
        r.rawBody,
        r.rawBodyBytes,
        r.ip,
        r.userAgent,
        r.receivedAt,
      ],
    );
  }

  /** COPYs the request log rows of a batch of stored posts, on the batch's pg client (its transaction). */
  async copyRequests(client: PoolClient, stored: readonly StoredRequest[]): Promise<void> {
    await copyRows(
      client,
      'ingestion.intake_requests',
      REQUEST_COLUMNS,
      stored.map(({ request: r, outcome, httpStatus, code, leadId }) => [
        r.id,
        r.organizationId,
        r.workspaceId,
        r.webhookId,
        r.providerId,
        outcome,
        httpStatus,
        code,
        new CopyJson(storable([])),
        leadId,
        r.idempotencyKey,
        r.contentType,
        r.rawBody,
        r.rawBodyBytes,
        r.ip,
        r.userAgent,
        r.receivedAt,
      ]),
    );
  }

  /**
   * Drops the bodies of up to `limit` posts received before `before` (the rows stay: outcome, codes,
   * usage). Replicas pruning at once skip each other's rows. Answers how many it dropped.
   */
  async dropBodiesBefore(before: Date, limit: number): Promise<number> {
    const [, changed] = (await this.dataSource.query(
      `UPDATE ingestion.intake_requests SET raw_body = NULL WHERE id IN (
         SELECT id FROM ingestion.intake_requests WHERE raw_body IS NOT NULL AND received_at < $1
          LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [before, limit],
    )) as [unknown[], number];
    return changed;
  }

  /** Deletes up to `limit` request log rows received before `before`; answers how many. */
  async deleteBefore(before: Date, limit: number): Promise<number> {
    const [, deleted] = (await this.dataSource.query(
      `DELETE FROM ingestion.intake_requests WHERE id IN (
         SELECT id FROM ingestion.intake_requests WHERE received_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [before, limit],
    )) as [unknown[], number];
    return deleted;
  }

  /** Leads (not duplicates) the organization received since `from` — seeds the quota counter. */
  async leadsSince(organizationId: string, from: Date): Promise<number> {
    const [row] = await this.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM ingestion.leads
        WHERE organization_id = $1 AND created_at >= $2 AND status <> 'duplicate'`,
      [organizationId, from],
    );
    return row?.n ?? 0;
  }
}
