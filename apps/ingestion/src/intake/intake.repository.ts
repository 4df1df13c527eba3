import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { PlanQuotas } from '@leadflow/contracts';
import { OrganizationCopyEntity } from '../directory/directory.entities';
import { storable } from '../normalization/storable-text';
import { ProviderEntity } from '../providers/provider.entity';
import { WebhookEntity } from '../webhooks/webhook.entity';
import type { IntakeRequestEntity } from './intake-request.entity';

export interface IntakeContext {
  webhook: WebhookEntity;
  /** The provider named by the request, if it is one of the webhook's organization. */
  provider: ProviderEntity | null;
  /** The organization's plan quotas, once identity's events have arrived. */
  quotas: PlanQuotas | null;
}

/** The intake request log (written in the same transaction as the lead it produced). */
@Injectable()
export class IntakeRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Everything a post needs to be judged, in one query: webhook, provider and plan quotas. */
  async context(webhookId: string, providerId: string | null): Promise<IntakeContext | null> {
    const row = await this.dataSource
      .getRepository(WebhookEntity)
      .createQueryBuilder('w')
      .leftJoinAndMapOne(
        'w.provider',
        ProviderEntity,
        'p',
        'p.id = :providerId AND p.organizationId = w.organizationId',
        { providerId },
      )
      .leftJoinAndMapOne('w.organization', OrganizationCopyEntity, 'o', 'o.id = w.organizationId')
      .where('w.id = :webhookId', { webhookId })
      .getOne();
    if (!row) return null;
    const { provider, organization, ...webhook } = row as WebhookEntity & {
      provider?: ProviderEntity;
      organization?: OrganizationCopyEntity;
    };
    return {
      webhook: Object.assign(new WebhookEntity(), webhook),
      provider: provider ?? null,
      quotas: organization?.quotas ?? null,
    };
  }

  async insertRequest(tx: EntityManager, r: IntakeRequestEntity): Promise<void> {
    await tx.query(
      `INSERT INTO ingestion.intake_requests (id, organization_id, workspace_id, webhook_id, provider_id, outcome,
          http_status, code, errors, lead_id, idempotency_key, content_type, raw_body, ip, user_agent, received_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
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
        r.ip,
        r.userAgent,
        r.receivedAt,
      ],
    );
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
