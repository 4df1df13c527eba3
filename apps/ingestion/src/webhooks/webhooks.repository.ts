import { NotFoundError } from '@leadflow/platform/errors';
import type { TenantScope } from '@leadflow/platform/persistence';
import { TenantRepository, keysetPage } from '@leadflow/platform/persistence';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { IntakeRequestEntity } from '../intake/intake-request.entity';
import type { WebhookStatus } from './webhook.entity';
import { WebhookEntity } from './webhook.entity';
import type { Page, Vertical } from '@leadflow/contracts';

@Injectable()
export class WebhooksRepository {
  private readonly webhooks: TenantRepository<WebhookEntity>;
  private readonly requests: TenantRepository<IntakeRequestEntity>;

  constructor(dataSource: DataSource) {
    this.webhooks = new TenantRepository(dataSource.getRepository(WebhookEntity), 'webhook');
    this.requests = new TenantRepository(dataSource.getRepository(IntakeRequestEntity), 'intake request');
  }

  async insert(tx: EntityManager, scope: TenantScope, webhook: WebhookEntity): Promise<void> {
    await this.webhooks.within(tx).insert(scope, [webhook]);
  }

  get(scope: TenantScope, id: string, tx?: EntityManager): Promise<WebhookEntity> {
    return (tx ? this.webhooks.within(tx) : this.webhooks).getOrNotFound(scope, id);
  }

  async update(
    tx: EntityManager,
    scope: TenantScope,
    id: string,
    patch: Partial<WebhookEntity>,
  ): Promise<void> {
    await this.webhooks.within(tx).update(scope, { id }, patch);
  }

  /** Which of `ids` are webhooks of the organization. */
  /** Of `ids`, the webhooks the caller holds (its workspaces' when limited), with their workspace. */
  async held(scope: TenantScope, ids: readonly string[]): Promise<{ id: string; workspaceId: string }[]> {
    if (ids.length === 0) return [];
    return this.webhooks
      .queryBuilder(scope, 'w')
      .select('w.id', 'id')
      .addSelect('w.workspaceId', 'workspaceId')
      .andWhere('w.id IN (:...ids)', { ids: [...ids] })
      .getRawMany<{ id: string; workspaceId: string }>();
  }

  async existing(scope: TenantScope, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.webhooks
      .queryBuilder({ organizationId: scope.organizationId }, 'w')
      .select('w.id', 'id')
      .andWhere('w.id IN (:...ids)', { ids: [...ids] })
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  list(
    scope: TenantScope,
    query: {
      limit: number;
      cursor?: string;
      workspaceId?: string;
      status?: WebhookStatus;
      vertical?: Vertical;
    },
  ): Promise<Page<WebhookEntity>> {
    const qb = this.webhooks.queryBuilder(scope, 'w');
    if (query.workspaceId !== undefined) qb.andWhere('w.workspaceId = :ws', { ws: query.workspaceId });
    if (query.status !== undefined) qb.andWhere('w.status = :status', { status: query.status });
    else qb.andWhere(`w.status <> 'archived'`);
    if (query.vertical !== undefined) qb.andWhere('w.vertical = :vertical', { vertical: query.vertical });
    return keysetPage(qb, 'w', query, { direction: 'ASC' });
  }

  listRequests(
    scope: TenantScope,
    webhookId: string,
    query: {
      limit: number;
      cursor?: string;
      outcome?: string;
      providerId?: string;
      from?: Date;
      to?: Date;
    },
  ): Promise<Page<IntakeRequestEntity>> {
    const qb = this.requests
      .queryBuilder(scope, 'r')
      .select([
        'r.id',
        'r.providerId',
        'r.outcome',
        'r.httpStatus',
        'r.code',
        'r.errors',
        'r.leadId',
        'r.contentType',
        'r.ip',
        'r.receivedAt',
      ])
      .andWhere('r.webhookId = :webhookId', { webhookId });
    if (query.outcome !== undefined) qb.andWhere('r.outcome = :outcome', { outcome: query.outcome });
    if (query.providerId !== undefined)
      qb.andWhere('r.providerId = :providerId', { providerId: query.providerId });
    if (query.from !== undefined) qb.andWhere('r.receivedAt >= :from', { from: query.from });
    if (query.to !== undefined) qb.andWhere('r.receivedAt < :to', { to: query.to });
    return keysetPage(qb, 'r', query, { column: 'receivedAt' });
  }

  /** One logged post of the webhook, raw body included. */
  async getRequest(scope: TenantScope, webhookId: string, id: string): Promise<IntakeRequestEntity> {
    const row = await this.requests.findOne(scope, { id, webhookId });
    if (!row) throw new NotFoundError('intake request', id);
    return row;
  }

  /** Requests per outcome for one webhook in [from, to). */
  async outcomeCounts(
    scope: TenantScope,
    webhookId: string,
    from: Date,
    to: Date,
  ): Promise<Record<string, number>> {
    const rows = await this.requests
      .queryBuilder(scope, 'r')
      .select('r.outcome', 'outcome')
      .addSelect('count(*)::int', 'count')
      .andWhere('r.webhookId = :webhookId', { webhookId })
      .andWhere('r.receivedAt >= :from AND r.receivedAt < :to', { from, to })
      .groupBy('r.outcome')
      .getRawMany<{ outcome: string; count: number }>();
    return Object.fromEntries(rows.map((r) => [r.outcome, r.count]));
  }
}
